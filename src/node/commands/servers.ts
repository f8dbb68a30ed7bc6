/**
 * `dataspine migrate`, `dataspine libsql-server`, `dataspine demo-feed`.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import * as Either from "effect/Either";
import { parseFaultConfig } from "../../dev/demo-feed/faults";
import { DEFAULT_DB_PATH, dbConfigFromEnv, migrateDatabase, openDatabase } from "../database";
import { startDemoFeed } from "../dev/demo-feed-server";
import { startLibsqlServer } from "../dev/libsql-server/server";
import { type Command, print, serveUntilSignal, UsageError } from "./shared";

const strict = <const O extends ParseArgsConfig["options"]>(
  argv: ReadonlyArray<string>,
  options: O,
) => parseArgs({ args: [...argv], options, strict: true }).values;

export const migrateCommand: Command = {
  name: "migrate",
  usage: "dataspine migrate [--json]",
  run: async (argv) => {
    const { json } = strict(argv, { json: { type: "boolean", default: false } });
    const db = await openDatabase(dbConfigFromEnv());
    await migrateDatabase(db);
    db.$client.close();
    print(json, { migrated: true }, "migrations applied");
    return 0;
  },
};

export const libsqlServerCommand: Command = {
  name: "libsql-server",
  usage: `dataspine libsql-server [--port 8080] [--host 127.0.0.1] [--db ${DEFAULT_DB_PATH}] [--auth-token T]`,
  offline: true,
  run: async (argv) => {
    const values = strict(argv, {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string", default: DEFAULT_DB_PATH },
      "auth-token": { type: "string" },
    });
    const server = await startLibsqlServer({
      path: values.db,
      host: values.host,
      port: Number(values.port ?? 8080),
      ...(values["auth-token"] ? { authToken: values["auth-token"] } : {}),
    });
    process.stderr.write(`libSQL (Hrana over HTTP) listening on ${server.url}\n`);
    return serveUntilSignal(() => server.close());
  },
};

export const demoFeedCommand: Command = {
  name: "demo-feed",
  usage:
    "dataspine demo-feed [--port 8790] [--host 127.0.0.1] [--error-rate 0.3] [--statuses 503,429] [--truncate-rate 0.05] [--latency-ms 20]",
  offline: true,
  run: async (argv) => {
    const values = strict(argv, {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      "error-rate": { type: "string" },
      statuses: { type: "string" },
      "truncate-rate": { type: "string" },
      "latency-ms": { type: "string" },
    });
    const faults = parseFaultConfig({
      ...(values["error-rate"] ? { error_rate: Number(values["error-rate"]) } : {}),
      ...(values.statuses ? { statuses: values.statuses.split(",").map(Number) } : {}),
      ...(values["truncate-rate"] ? { truncate_rate: Number(values["truncate-rate"]) } : {}),
      ...(values["latency-ms"] ? { latency_ms: Number(values["latency-ms"]) } : {}),
    });
    if (Either.isLeft(faults)) throw new UsageError(faults.left);
    const feed = await startDemoFeed({
      host: values.host,
      port: Number(values.port ?? 8790),
      faults: faults.right,
      onAlert: (text) => process.stderr.write(`alert received: ${text}\n`),
    });
    process.stderr.write(
      `demo feed (Polygon aggregates) listening on ${feed.url}; alerts: POST ${feed.url}/alerts\n`,
    );
    return serveUntilSignal(() => feed.close());
  },
};
