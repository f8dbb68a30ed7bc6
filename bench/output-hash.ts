/**
 * `npm run bench:output-hash [-- --rows N] [-- --json]`: the output hash of one large stored
 * partition (`--rows` trades of one client-day, default 1,000,000, written to a temp libSQL
 * file), computed two ways, each in a process of its own (Node, the embedded file):
 *
 * - paged: what the runner does now (`storedOutput`: `replay.storedPage`, 5,000 rows a
 *   query, fed to the streaming digest);
 * - whole: what it did before: the partition in one query, then `storedOutputHash`.
 *
 * Reported: seconds, the process's RSS before the hash and its peak (`VmHWM`), and that both
 * hashes are equal; then each way again with V8's old space capped at `--heap` MB (default 64,
 * the process's own code and services included): the paged hash finishes, one read does not.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as Effect from "effect/Effect";
import * as LogLevel from "effect/LogLevel";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { newYorkDate } from "../src/calendar/sessions";
import type { CanonicalRecord } from "../src/core/model/canonical-record";
import { PartitionKey } from "../src/core/model/ids";
import { storedOutput } from "../src/core/pipeline/stored-output";
import { Db } from "../src/db/db";
import { PIPELINES } from "../src/domains/registry";
import { nodePipelineLayer } from "../src/node/runtime";
import { storedOutputHash } from "../src/reconciliation/canonical";
import { BENCH_CLIENT, BENCH_DATE, tradeRow } from "./trades-file";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    heap: { type: "string", default: "64" },
    json: { type: "boolean", default: false },
    child: { type: "string" },
    db: { type: "string" },
  },
});
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PARTITION = PartitionKey.make(`${BENCH_DATE}|${BENCH_CLIENT}`);
const COLUMNS = "client_id, trade_id, symbol, side, quantity, price, executed_at, venue, source";

const statusMb = (field: string) =>
  Math.round(
    Number(
      new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync("/proc/self/status", "utf8"))?.[1],
    ) / 1024,
  );

/** The partition read as the runner read it before: one query, the New York day cut. */
const wholeRead = Effect.flatMap(Db, ({ client }) =>
  Effect.promise(() =>
    client.execute({
      sql: `SELECT ${COLUMNS} FROM trades WHERE client_id = ? AND executed_at >= ? AND executed_at < ? ORDER BY trade_id`,
      args: [BENCH_CLIENT, "2025-01-01", "2025-01-04"],
    }),
  ),
).pipe(
  Effect.map((result) =>
    result.rows
      .map((row) => ({ ...row }) as CanonicalRecord)
      .filter((r) => newYorkDate(Date.parse(String(r.executed_at))) === BENCH_DATE),
  ),
);

const layer = (db: string) =>
  nodePipelineLayer({ db: { url: `file:${db}` }, vars: {}, logLevel: LogLevel.Warning });

if (values.child !== undefined) {
  const replay = PIPELINES.get("trade_data.ingest_trades")?.replay;
  if (!replay || values.db === undefined) throw new Error("usage: --child paged|whole --db FILE");
  const runtime = ManagedRuntime.make(layer(values.db));
  await runtime.runtime();
  const before = statusMb("VmRSS");
  const started = performance.now();
  const output = await runtime.runPromise(
    values.child === "paged"
      ? storedOutput(replay, PARTITION)
      : Effect.map(wholeRead, (rows) => storedOutputHash(replay.key, rows)),
  );
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ ...output, seconds, rss_before_mb: before, peak_rss_mb: statusMb("VmHWM") })}\n`,
  );
  await runtime.dispose();
} else {
  const rows = Number(values.rows);
  const dir = mkdtempSync(join(tmpdir(), "dataspine-bench-hash-"));
  try {
    const db = join(dir, "hash.db");
    const fill = ManagedRuntime.make(layer(db));
    process.stderr.write(`writing ${rows.toLocaleString()} trades…\n`);
    await fill.runPromise(
      Effect.flatMap(Db, ({ client }) =>
        Effect.promise(async () => {
          for (let at = 0; at < rows; at += 10_000) {
            const chunk = Array.from({ length: Math.min(10_000, rows - at) }, (_, i) => {
              const t = tradeRow(at + i);
              return { ...t, executed_at: t.timestamp, source: "execution_csv" };
            });
            await client.execute({
              sql: `INSERT INTO trades (${COLUMNS}, capture_id, captured_at, execution_id, batch_id)
SELECT ${COLUMNS.split(", ")
                .map((c) => `j.value->>'${c}'`)
                .join(", ")}, 'c', 'x', 'e', 'b' FROM json_each(?) j`,
              args: [JSON.stringify(chunk)],
            });
          }
        }),
      ),
    );
    await fill.dispose();
    const measure = (mode: string, heapMb?: number) => {
      process.stderr.write(`${mode}${heapMb === undefined ? "" : `, heap ${heapMb} MB`}…\n`);
      try {
        const out = execFileSync(
          process.execPath,
          [
            ...(heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`]),
            "--import",
            "tsx",
            join(ROOT, "bench/output-hash.ts"),
            "--child",
            mode,
            "--db",
            db,
          ],
          { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "pipe"] },
        );
        return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Record<string, number | string>;
      } catch (e) {
        const stderr = String(Reflect.get(Object(e), "stderr") ?? "");
        const oom = /heap out of memory|Allocation failed/i.test(stderr);
        return { error: oom ? "JavaScript heap out of memory" : stderr.slice(-300) };
      }
    };
    const heapMb = Number(values.heap);
    const paged = measure("paged");
    const whole = measure("whole");
    const capped = {
      heap_mb: heapMb,
      paged: measure("paged", heapMb),
      whole: measure("whole", heapMb),
    };
    const result = { rows, paged, whole, same_hash: paged.sha256 === whole.sha256, capped };
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      for (const [name, r] of [
        ["paged", paged],
        ["whole", whole],
      ] as const) {
        process.stdout.write(
          `${name.padEnd(6)} ${Number(r.seconds).toFixed(2)} s, ${r.records} records, RSS ${r.rss_before_mb} → peak ${r.peak_rss_mb} MB\n`,
        );
      }
      process.stdout.write(`same hash: ${result.same_hash} (${paged.sha256})\n`);
      for (const [name, r] of [
        ["paged", capped.paged],
        ["whole", capped.whole],
      ] as const) {
        process.stdout.write(
          `${name.padEnd(6)} with a ${heapMb} MB heap: ${r.error ?? `${Number(r.seconds).toFixed(2)} s, ${r.records} records, same hash: ${r.sha256 === paged.sha256}`}\n`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
