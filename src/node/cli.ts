/**
 * `dataspine` command line: a thin adapter over the registries and the runner.
 *
 *   dataspine run <pipeline> --partition <key> [--json]
 *   dataspine partitions <pipeline> [--json]
 *   dataspine pipelines [--json]
 *   dataspine migrate
 *   dataspine libsql-server [--port 8080] [--host 127.0.0.1] [--db .dataspine/dataspine.db]
 *   dataspine demo-feed [--port 8790] [--host 127.0.0.1]
 *
 * Results go to stdout (exactly one JSON document with `--json`), logs to stderr.
 * Exit codes: 0 ok, 1 the run failed, 2 bad usage or input.
 */
import { parseArgs } from "node:util";
import { Effect, Exit, LogLevel } from "effect";
import { compactUtcStamp } from "../core/ids";
import { listPartitions } from "../core/manifest";
import type { RunResult } from "../core/run-result";
import { runPipeline } from "../core/runner";
import { PIPELINES } from "../domains/registry";
import { DEFAULT_DB_PATH, dbConfigFromEnv, migrateDatabase, openDatabase } from "./database";
import { startDemoFeed } from "./demo-feed-server";
import { startLibsqlServer } from "./libsql-server/server";
import { nodePipelineLayer } from "./runtime";

class UsageError extends Error {}

const USAGE = `usage:
  dataspine run <pipeline> --partition <key> [--json]
  dataspine partitions <pipeline> [--json]
  dataspine pipelines [--json]
  dataspine migrate
  dataspine libsql-server [--port 8080] [--host 127.0.0.1] [--db ${DEFAULT_DB_PATH}] [--auth-token T]
  dataspine demo-feed [--port 8790] [--host 127.0.0.1]

Environment: LIBSQL_URL, LIBSQL_AUTH_TOKEN (default: embedded file ${DEFAULT_DB_PATH}),
MARKET_DATA_BASE_URL, POLYGON_API_KEY (default: an in-process demo feed), LOG_LEVEL.`;

const print = (json: boolean, value: unknown, human: string) => {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
};

const logLevel = (): LogLevel.LogLevel =>
  LogLevel.allLevels.find((l) => l.label === (process.env.LOG_LEVEL ?? "WARN").toUpperCase()) ??
  LogLevel.Warning;

const runCommand = async (
  pipeline: string | undefined,
  partition: string | undefined,
  json: boolean,
) => {
  if (!pipeline || !partition) throw new UsageError("run needs <pipeline> and --partition <key>");
  const feed = process.env.MARKET_DATA_BASE_URL ? undefined : await startDemoFeed({ port: 0 });
  try {
    const vars = { ...process.env, ...(feed ? { MARKET_DATA_BASE_URL: feed.url } : {}) };
    const exit = await Effect.runPromiseExit(
      runPipeline(PIPELINES, {
        pipeline,
        partition,
        trigger: "cli",
        batchId: `cli.${compactUtcStamp(new Date())}`,
      }).pipe(
        Effect.provide(nodePipelineLayer({ db: dbConfigFromEnv(), vars, logLevel: logLevel() })),
      ),
    );
    if (Exit.isFailure(exit)) {
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined;
      if (error) {
        print(json, { error: error._tag, message: error.message }, `error: ${error.message}`);
        return 2;
      }
      throw new Error(String(exit.cause));
    }
    const result: RunResult = exit.value;
    const { counts } = result;
    print(
      json,
      result,
      `${result.status} ${result.pipeline} ${result.partition}\n  capture ${result.capture_id}\n` +
        `  received ${counts.received}, valid ${counts.valid}, quarantined ${counts.quarantined}, written ${counts.written}` +
        (result.error ? `\n  error [${result.error.tag}] ${result.error.message}` : ""),
    );
    return result.status === "failed" ? 1 : 0;
  } finally {
    await feed?.close();
  }
};

const partitionsCommand = async (pipeline: string | undefined, json: boolean) => {
  const found = pipeline ? PIPELINES.get(pipeline) : undefined;
  if (!found)
    throw new UsageError(`partitions needs a registered pipeline: ${PIPELINES.names().join(", ")}`);
  const rows = await Effect.runPromise(
    listPartitions(found.domain, found.stage).pipe(
      Effect.provide(
        nodePipelineLayer({ db: dbConfigFromEnv(), vars: process.env, logLevel: logLevel() }),
      ),
    ),
  );
  print(
    json,
    rows,
    rows.length === 0
      ? "no partitions yet"
      : rows
          .map((r) => `${r.partition_key}\t${r.status}\t${r.row_count ?? "-"}\t${r.capture_id}`)
          .join("\n"),
  );
  return 0;
};

const serveUntilSignal = async (close: () => Promise<void>) => {
  await new Promise<void>((resolveSignal) => {
    process.once("SIGINT", () => resolveSignal());
    process.once("SIGTERM", () => resolveSignal());
  });
  await close();
  return 0;
};

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      partition: { type: "string", short: "p" },
      json: { type: "boolean", default: false },
      port: { type: "string" },
      host: { type: "string" },
      db: { type: "string" },
      "auth-token": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  const port = (fallback: number) => (values.port === undefined ? fallback : Number(values.port));
  if (values.help || command === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  switch (command) {
    case "run":
      return runCommand(rest[0], values.partition, values.json);
    case "partitions":
      return partitionsCommand(rest[0], values.json);
    case "pipelines": {
      const list = PIPELINES.list().map((p) => ({
        name: p.name,
        domain: p.domain,
        stage: p.stage,
        partition_example: p.partitionExample,
        description: p.description,
      }));
      print(
        values.json,
        list,
        list.map((p) => `${p.name}\t${p.partition_example}\t${p.description}`).join("\n"),
      );
      return 0;
    }
    case "migrate": {
      const db = await openDatabase(dbConfigFromEnv());
      await migrateDatabase(db);
      db.$client.close();
      print(values.json, { migrated: true }, "migrations applied");
      return 0;
    }
    case "libsql-server": {
      const server = await startLibsqlServer({
        path: values.db ?? DEFAULT_DB_PATH,
        host: values.host ?? "127.0.0.1",
        port: port(8080),
        ...(values["auth-token"] ? { authToken: values["auth-token"] } : {}),
      });
      process.stderr.write(`libSQL (Hrana over HTTP) listening on ${server.url}\n`);
      return serveUntilSignal(() => server.close());
    }
    case "demo-feed": {
      const feed = await startDemoFeed({ host: values.host ?? "127.0.0.1", port: port(8790) });
      process.stderr.write(`demo feed (Polygon aggregates) listening on ${feed.url}\n`);
      return serveUntilSignal(() => feed.close());
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS"))
    ) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
