/**
 * One measurement in a fresh process, so timings and peak RSS are not mixed up:
 *   tsx bench/ingest-child.ts raw <db-url> <rows>        raw json_each upsert of the rows
 *   tsx bench/ingest-child.ts pipeline <db-url> <csv>     execution_csv ingestion, end to end
 * Prints one JSON line: { mode, rows, seconds, rows_per_s, max_rss_mb }.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import { Effect, Exit, LogLevel } from "effect";
import { parseSourceLocation } from "../src/core/ingest/source";
import { sourcePipeline } from "../src/core/ingest/source-pipeline";
import type { Pipeline } from "../src/core/pipeline/pipeline";
import { Registry } from "../src/core/pipeline/registry";
import { runPipeline } from "../src/core/pipeline/runner";
import { bulkUpsertSql } from "../src/db/bulk-upsert";
import { SOURCES } from "../src/domains/sources-registry";
import { TRADES_UPSERT } from "../src/domains/trade_data/store";
import { migrateDatabase, openDatabase } from "../src/node/database";
import { nodePipelineLayer } from "../src/node/runtime";
import { BENCH_CLIENT, BENCH_DATE, tradeRow } from "./trades-file";

const [mode, url, arg] = process.argv.slice(2);
if (!mode || !url || !arg)
  throw new Error("usage: ingest-child.ts raw|pipeline <db-url> <rows|csv>");

// The very statement the pipeline's trades store runs, so the baseline differs only in
// everything the pipeline does besides writing.
const UPSERT = bulkUpsertSql(TRADES_UPSERT);
const RAW_CHUNK = 50_000;

// Peak JS heap and external (ArrayBuffer) memory, sampled: unlike RSS they exclude code,
// the Node runtime and SQLite's own allocations, i.e. they are the data working set.
let maxHeap = 0;
let maxExternal = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  maxHeap = Math.max(maxHeap, m.heapUsed);
  maxExternal = Math.max(maxExternal, m.external);
}, 50);

const report = (rows: number, started: number) => {
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const usage = process.cpuUsage(cpuAtStart);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      rows,
      seconds: Number(seconds.toFixed(3)),
      rows_per_s: Math.round(rows / seconds),
      max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      max_heap_used_mb: Math.round(maxHeap / 2 ** 20),
      max_external_mb: Math.round(maxExternal / 2 ** 20),
      cpu_s: Number(((usage.user + usage.system) / 1e6).toFixed(3)),
    })}\n`,
  );
};

let cpuAtStart = process.cpuUsage();
const db = await openDatabase({ url });
await migrateDatabase(db);

if (mode === "raw") {
  const rows = Number(arg);
  const capture = `bench.RAW.${BENCH_DATE}|${BENCH_CLIENT}.00000000T000000Z`;
  const now = new Date().toISOString();
  // Every chunk's JSON is built before the clock starts: the baseline is the driver and
  // SQLite alone, the cost the pipeline's own work is compared against.
  const chunks: Array<string> = [];
  for (let start = 0; start < rows; start += RAW_CHUNK) {
    const tuples: Array<Array<string>> = [];
    for (let i = start; i < Math.min(rows, start + RAW_CHUNK); i++) {
      const r = tradeRow(i);
      tuples.push([
        r.client_id,
        r.trade_id,
        r.symbol,
        r.side,
        r.quantity,
        r.price,
        r.timestamp,
        r.venue,
        "execution_csv",
      ]);
    }
    chunks.push(JSON.stringify(tuples));
  }
  cpuAtStart = process.cpuUsage();
  const started = performance.now();
  for (const chunk of chunks) {
    await db.$client.execute({
      sql: UPSERT,
      args: [chunk, capture, now, "exec_bench", "bench"],
    });
  }
  report(rows, started);
} else {
  db.$client.close();
  const source = SOURCES.get("execution_csv");
  if (!source) throw new Error("execution_csv is not registered");
  const pipeline = sourcePipeline(source, parseSourceLocation(arg), NodeFileSystem.layer);
  cpuAtStart = process.cpuUsage();
  const started = performance.now();
  const exit = await Effect.runPromiseExit(
    runPipeline(new Registry<Pipeline>("pipeline").register(pipeline), {
      pipeline: pipeline.name,
      partition: `${BENCH_DATE}|${BENCH_CLIENT}`,
      trigger: "cli",
    }).pipe(
      Effect.provide(nodePipelineLayer({ db: { url }, vars: {}, logLevel: LogLevel.Warning })),
    ),
  );
  if (Exit.isFailure(exit) || exit.value.status !== "complete") {
    throw new Error(
      `ingestion failed: ${Exit.isFailure(exit) ? String(exit.cause) : JSON.stringify(exit.value)}`,
    );
  }
  report(exit.value.counts.written, started);
}
