/**
 * `npm run bench:edge [-- --rows N] [-- --start D --end D] [-- --concurrency C]
 * [-- --steps backfill,trades] [-- --shapes K] [-- --json] [-- --verbose]`: the path production
 * uses beside the CLI's, on the same work in the same run.
 *
 * - Edge: the Worker in `wrangler dev` (offline, the local stack of `npm run dev`:
 *   `src/node/dev/local-stack.ts`), its `PartitionActor` Durable Objects writing to libSQL
 *   over HTTP through the local Hrana endpoint, which counts the requests it serves
 *   (`GET /__stats`).
 * - CLI: the same commands' code in a process of their own (`bench/edge-cli.ts`) on an
 *   embedded database file, as `dataspine backfill` / `dataspine run` and `npm run bench` run.
 *
 * The work, in this order on each side's fresh database: (a) a backfill of
 * `market_data.ingest_prices` over one year of the demo universe (default 2025, concurrency
 * 4: POST /backfills, polled until final, against `dataspine backfill`), then (b)
 * `trade_data.ingest_trades` for one partition whose execution file has `--rows` trades
 * (default 1,000,000; POST /runs against `dataspine run`). Both sides read one demo feed and
 * one file server, both started here. Reported: rows/s and its ratio to the CLI's, and for
 * the edge the HTTP requests the libSQL endpoint served during each step (until it has been
 * quiet for a second: the actors' alert passes included) per partition, with the `--shapes`
 * most frequent request shapes, the peak RSS of wrangler's processes (its Node process and
 * workerd) and the endpoint's during the step, and for the trades run the time to its last
 * data write.
 * `--steps trades` runs that step alone (without the backfill's bars: every trade then lacks
 * market data, on both sides alike).
 */
import { execFile, execFileSync } from "node:child_process";
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startDemoFeed } from "../src/node/dev/demo-feed-server";
import { type RequestStatsSnapshot, statsDelta } from "../src/node/dev/libsql-server/request-stats";
import { type LocalStack, startLocalStack } from "../src/node/dev/local-stack";
import { freePort } from "../test/fixtures/ports";
import { sampleRss } from "./process-rss";
import { BENCH_CLIENT, BENCH_DATE, writeTradesCsv } from "./trades-file";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    start: { type: "string", default: "2025-01-01" },
    end: { type: "string", default: "2025-12-31" },
    concurrency: { type: "string", default: "4" },
    shapes: { type: "string", default: "8" },
    steps: { type: "string", default: "backfill,trades" },
    json: { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
  },
});
const rows = Number(values.rows);
const steps = new Set(values.steps.split(",").map((s) => s.trim()));
const PRICES = "market_data.ingest_prices";
const TRADES = "trade_data.ingest_trades";
const TRADES_PARTITION = `${BENCH_DATE}|${BENCH_CLIENT}`;
const TOKEN = "bench-edge-token";
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const log = (text: string) => process.stderr.write(`${text}\n`);

interface Step {
  readonly seconds: number;
  readonly rows: number;
  readonly partitions: number;
  readonly statuses: Readonly<Record<string, number>>;
  /** Why the step did not finish, when it did not. */
  readonly error?: string;
  /** Edge: from the request to the endpoint's last data write of the step (±0.5 s). */
  readonly write_seconds?: number;
}

/** Runs an edge step; a failure (wrangler gone, a refused request) is reported, not thrown. */
const guarded = async (partitions: number, step: () => Promise<Step>): Promise<Step> => {
  const started = performance.now();
  try {
    return await step();
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    const writeSeconds = Reflect.get(Object(e), "writeSeconds");
    log(`  failed: ${error}`);
    return {
      seconds: (performance.now() - started) / 1000,
      rows: 0,
      partitions,
      statuses: {},
      error,
      ...(typeof writeSeconds === "number" ? { write_seconds: writeSeconds } : {}),
    };
  }
};

/** One JSON request with no client timeout (a 1M-row run answers after minutes). */
const call = <T = Record<string, unknown>>(
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: T }> =>
  new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...(text ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        const chunks: Array<Buffer> = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(raw) as T });
          } catch {
            reject(new Error(`${method} ${url}: ${res.statusCode} ${raw.slice(0, 300)}`));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The CLI step in its own process (`bench/edge-cli.ts`); asynchronous, so the feed and the
 * file server in this process keep answering it.
 */
const cliStep = (
  dbUrl: string,
  env: Record<string, string>,
  args: ReadonlyArray<string>,
): Promise<Step> =>
  new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ["--import", "tsx", join(ROOT, "bench/edge-cli.ts"), ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          ...env,
          LIBSQL_URL: dbUrl,
          LIBSQL_AUTH_TOKEN: "",
          LOG_LEVEL: "WARN",
        },
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Step);
      },
    );
    if (values.verbose) child.stderr?.pipe(process.stderr);
  });

const stats = async (stack: LocalStack): Promise<RequestStatsSnapshot> =>
  (await call<RequestStatsSnapshot>("GET", `${stack.libsqlUrl}/__stats`)).json;

/** The endpoint's counters once it has served nothing for a second (alert passes settle). */
const quietStats = async (stack: LocalStack) => {
  let last = await stats(stack);
  for (let i = 0; i < 120; i++) {
    await sleep(1_000);
    const now = await stats(stack);
    if (now.http_requests === last.http_requests) return now;
    last = now;
  }
  return last;
};

const runBackfill = async (stack: LocalStack): Promise<Step> => {
  const started = performance.now();
  const accepted = await call<{ backfill_id: string }>("POST", `${stack.workerUrl}/backfills`, {
    pipeline: PRICES,
    start: values.start,
    end: values.end,
    params: { universe: "demo" },
    concurrency: Number(values.concurrency),
  });
  if (accepted.status !== 202) throw new Error(`POST /backfills: ${JSON.stringify(accepted.json)}`);
  const id = accepted.json.backfill_id;
  for (;;) {
    await sleep(250);
    const progress = (
      await call<Record<string, number> & { status: string; total: number }>(
        "GET",
        `${stack.workerUrl}/backfills/${id}`,
      )
    ).json;
    if (progress.status === "running") continue;
    const seconds = (performance.now() - started) / 1000;
    const statuses: Record<string, number> = {};
    for (const s of ["complete", "no_data_expected", "skipped", "failed"] as const) {
      const n = progress[s] ?? 0;
      if (n > 0) statuses[s] = n;
    }
    return { seconds, rows: 0, partitions: progress.total, statuses };
  }
};

/**
 * Polls the endpoint while a step runs, to tell when the last request writing `table`
 * arrived: the time the step's rows took to reach the database, apart from what the run
 * does after its last write.
 */
const watchWrites = (stack: LocalStack, table: string) => {
  const label = `INSERT ${table}`;
  const writes = (s: RequestStatsSnapshot) =>
    Object.entries(s.by_statements)
      .filter(([shape]) => shape.split(" + ").includes(label))
      .reduce((n, [, count]) => n + count, 0);
  const started = performance.now();
  let last = started;
  let seen: number | undefined;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const n = await stats(stack).then(writes, () => seen);
      if (seen !== undefined && n !== seen) last = performance.now();
      seen = n;
      await sleep(500);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return (last - started) / 1000;
  };
};

const edgeRun = async (stack: LocalStack): Promise<Step> => {
  const started = performance.now();
  const stop = watchWrites(stack, "trades");
  try {
    const answer = await call<{ status: string; counts: { written: number } }>(
      "POST",
      `${stack.workerUrl}/runs`,
      { pipeline: TRADES, partition: TRADES_PARTITION },
    );
    const seconds = (performance.now() - started) / 1000;
    if (answer.status !== 200) throw new Error(`POST /runs: ${JSON.stringify(answer.json)}`);
    return {
      seconds,
      rows: answer.json.counts.written,
      partitions: 1,
      statuses: { [answer.json.status]: 1 },
      write_seconds: await stop(),
    };
  } catch (e) {
    const writeSeconds = await stop();
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { writeSeconds });
  }
};

/** Trades stored for the bench's partition, read from the database file. */
const storedTrades = async (dbPath: string): Promise<number> => {
  const { openDatabase } = await import("../src/node/database");
  const db = await openDatabase({ url: `file:${dbPath}` });
  try {
    const rs = await db.$client.execute("SELECT count(*) AS n FROM trades WHERE client_id = ?", [
      BENCH_CLIENT,
    ]);
    return Number(rs.rows[0]?.n ?? 0);
  } finally {
    db.$client.close();
  }
};

/** Rows a backfill wrote: its complete captures' row counts, read from the database file. */
const backfillRows = async (dbPath: string): Promise<number> => {
  const { openDatabase } = await import("../src/node/database");
  const db = await openDatabase({ url: `file:${dbPath}` });
  try {
    const rs = await db.$client.execute(
      "SELECT coalesce(sum(row_count), 0) AS n FROM core_manifest WHERE status = 'complete' AND json_extract(metadata, '$.pipeline') = ?",
      [PRICES],
    );
    return Number(rs.rows[0]?.n ?? 0);
  } finally {
    db.$client.close();
  }
};

const rate = (s: Step) => Math.round(s.rows / s.seconds);
const topShapes = (delta: RequestStatsSnapshot, partitions: number, n = Number(values.shapes)) =>
  Object.entries(delta.by_statements)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([shape, count]) => ({ shape, count, per_partition: round2(count / partitions) }));
const round2 = (x: number) => Math.round(x * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), "dataspine-bench-edge-"));
const csv = join(dir, "trades.csv");
const tradesPath = `/v1/executions/${BENCH_DATE}/${BENCH_CLIENT}.csv`;
const files = createServer((req, res) => {
  if (req.url !== tradesPath) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": "text/csv" });
  createReadStream(csv).pipe(res);
});
let stack: LocalStack | undefined;
const feed = await startDemoFeed({ port: 0 });
try {
  log(`generating ${rows.toLocaleString()} trades…`);
  const csvBytes = await writeTradesCsv(csv, rows);
  await new Promise<void>((r) => files.listen(0, "127.0.0.1", () => r()));
  const filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  const sources = { MARKET_DATA_BASE_URL: feed.url, TRADES_BASE_URL: filesUrl };

  const cliDb = `file:${join(dir, "cli.db")}`;
  const concurrency = String(Number(values.concurrency));
  const backfillArgs = ["backfill", PRICES, values.start, values.end, concurrency];
  let cliBackfill: Step | undefined;
  let cliTrades: Step | undefined;
  if (steps.has("backfill")) {
    log(`CLI: backfill ${PRICES} ${values.start}..${values.end}…`);
    cliBackfill = await cliStep(cliDb, sources, backfillArgs);
    log(`  ${cliBackfill.rows} rows in ${cliBackfill.seconds} s`);
  }
  if (steps.has("trades")) {
    log(`CLI: run ${TRADES} ${TRADES_PARTITION}…`);
    cliTrades = await cliStep(cliDb, sources, ["run", TRADES, TRADES_PARTITION]);
    log(`  ${cliTrades.rows} rows in ${cliTrades.seconds} s`);
  }

  log("edge: starting wrangler dev + the libSQL endpoint…");
  const edgeDbPath = join(dir, "edge.db");
  stack = await startLocalStack({
    dbPath: edgeDbPath,
    libsqlPort: await freePort(),
    marketDataBaseUrl: feed.url,
    workerPort: await freePort(),
    persistTo: join(dir, "wrangler-state"),
    apiToken: TOKEN,
    vars: { TRADES_BASE_URL: filesUrl, LOG_LEVEL: "WARN" },
    output: values.verbose ? "inherit" : "ignore",
    // A long run keeps the Worker busy: /health must not get it restarted mid-step.
    probe: { intervalMs: 60_000, failures: 10 },
    log: values.verbose ? log : () => undefined,
  });
  const running = stack;
  let mark = await quietStats(stack);
  /** The requests the endpoint served since the last step ended. */
  const served = async () => {
    const now = await quietStats(running);
    const delta = statsDelta(mark, now);
    mark = now;
    return delta;
  };
  /** Peak RSS of wrangler's group (its Node process, workerd) and the endpoint, per step. */
  const memory = () =>
    sampleRss(() => ({
      wrangler: running.supervisor.pid("wrangler"),
      libsql: running.supervisor.pid("libsql"),
    }));
  type EdgeStep = {
    step: Step;
    requests: RequestStatsSnapshot;
    peakRssMb: Readonly<Record<string, number>>;
  };
  let edgeBackfill: EdgeStep | undefined;
  let edgeTrades: EdgeStep | undefined;
  if (cliBackfill) {
    log(`edge: backfill ${PRICES} ${values.start}..${values.end}…`);
    const peaks = memory();
    const step = await guarded(cliBackfill.partitions, () => runBackfill(running));
    const requests = await served();
    edgeBackfill = {
      step: { ...step, rows: await backfillRows(edgeDbPath) },
      requests,
      peakRssMb: peaks(),
    };
    log(`  ${edgeBackfill.step.rows} rows in ${step.seconds.toFixed(3)} s`);
  }
  if (cliTrades) {
    log(`edge: run ${TRADES} ${TRADES_PARTITION}…`);
    const peaks = memory();
    const step = await guarded(1, () => edgeRun(running));
    const requests = await served();
    // A run that did not answer still stored what it stored.
    const rows = step.error ? await storedTrades(edgeDbPath) : step.rows;
    edgeTrades = { step: { ...step, rows }, requests, peakRssMb: peaks() };
    log(
      `  ${rows} rows in ${step.seconds.toFixed(3)} s (last write at ${step.write_seconds?.toFixed(1)} s)`,
    );
  }
  await stack.stop();
  stack = undefined;

  const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], {
    cwd: ROOT,
    encoding: "utf8",
  }).trim();
  const dirty =
    execFileSync("git", ["status", "--porcelain", "--", "src", "bench"], {
      cwd: ROOT,
      encoding: "utf8",
    }).trim() !== "";
  const report = (
    name: string,
    cli: Step,
    { step: edge, requests: delta, peakRssMb }: EdgeStep,
  ) => ({
    work: name,
    cli: { ...cli, seconds: round2(cli.seconds), rows_per_s: rate(cli) },
    edge: {
      ...edge,
      seconds: round2(edge.seconds),
      rows_per_s: edge.error === undefined ? rate(edge) : 0,
      ...(edge.write_seconds === undefined
        ? {}
        : {
            write_seconds: round2(edge.write_seconds),
            write_rows_per_s: Math.round(edge.rows / edge.write_seconds),
          }),
      http_requests: delta.http_requests,
      statements: delta.statements,
      requests_per_partition: round2(delta.http_requests / edge.partitions),
      statements_per_partition: round2(delta.statements / edge.partitions),
      top_request_shapes: topShapes(delta, edge.partitions),
      peak_rss_mb: peakRssMb,
    },
    edge_vs_cli_rows_per_s: edge.error === undefined ? round2(rate(edge) / rate(cli)) : 0,
    ...(edge.write_seconds === undefined
      ? {}
      : { edge_writes_vs_cli_rows_per_s: round2(edge.rows / edge.write_seconds / rate(cli)) }),
    ...(edge.error === undefined ? {} : { edge_error: edge.error }),
    same_rows: edge.rows === cli.rows,
  });
  const result = {
    commit: `${commit}${dirty ? "+dirty" : ""}`,
    date: new Date().toISOString(),
    concurrency: Number(values.concurrency),
    trades_csv_bytes: csvBytes,
    ...(cliBackfill && edgeBackfill
      ? {
          backfill: report(
            `backfill ${PRICES} ${values.start}..${values.end}`,
            cliBackfill,
            edgeBackfill,
          ),
        }
      : {}),
    ...(cliTrades && edgeTrades
      ? {
          trades: report(
            `${TRADES} ${TRADES_PARTITION}, ${rows.toLocaleString()} rows`,
            cliTrades,
            edgeTrades,
          ),
        }
      : {}),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    const lines = [
      `commit ${result.commit}, ${result.date}, backfill concurrency ${result.concurrency}`,
    ];
    for (const r of [result.backfill, result.trades]) {
      if (r === undefined) continue;
      lines.push(
        "",
        `${r.work} (${r.edge.partitions} partitions: ${Object.entries(r.edge.statuses)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")})`,
        `  CLI (embedded)   ${r.cli.rows.toLocaleString()} rows in ${r.cli.seconds} s  ${r.cli.rows_per_s.toLocaleString()} rows/s  1.00×`,
        `  edge (Worker)    ${r.edge.rows.toLocaleString()} rows in ${r.edge.seconds} s  ${r.edge.rows_per_s.toLocaleString()} rows/s  ${r.edge_vs_cli_rows_per_s}×${r.same_rows ? "" : "  (rows differ from the CLI's!)"}`,
        ...(r.edge.write_rows_per_s === undefined
          ? []
          : [
              `  edge, to its last write  ${r.edge.write_seconds} s  ${r.edge.write_rows_per_s.toLocaleString()} rows/s  ${r.edge_writes_vs_cli_rows_per_s}×`,
            ]),
        ...(r.edge_error === undefined ? [] : [`  edge FAILED: ${r.edge_error}`]),
        `  libSQL HTTP requests ${r.edge.http_requests.toLocaleString()} (${r.edge.requests_per_partition} per partition), statements ${r.edge.statements.toLocaleString()} (${r.edge.statements_per_partition} per partition)`,
        `  peak RSS (MB): ${Object.entries(r.edge.peak_rss_mb)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
        "  most frequent requests (per partition):",
        ...r.edge.top_request_shapes.map(
          (s) => `    ${String(s.per_partition).padStart(7)}  ${s.shape}`,
        ),
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
} finally {
  await stack?.stop();
  await feed.close();
  await new Promise<void>((r) => files.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
}
