/**
 * `npm run bench [-- --rows N] [-- --gib G] [-- --repeat R] [-- --json]`: ingest throughput and
 * memory. Baseline and pipeline run alternately R times (default 3); the fastest of each is
 * compared.
 *
 * 1. Raw baseline: the same canonical trade rows upserted through `@libsql/client` with the
 *    pipeline's own statement (`INSERT … SELECT … FROM json_each(?)`) per 50,000 rows — the
 *    fastest driver path (docs/performance.md) — into a fresh embedded database.
 * 2. Pipeline: the `execution_csv` source end to end (stream the file, parse CSV, map, decode +
 *    contracts, trade invariants, idempotent upsert, manifest, audit) into a fresh database.
 * 3. Memory: the pipeline over a file of about `--gib` GiB (default 1), peak RSS reported.
 *    Pipeline steps run with the V8 heap capped at `--heap-mb` (default 32 MB).
 * Each step runs in its own process (`MALLOC_ARENA_MAX=1`, `--no-allocation-site-pretenuring`:
 * see `PROCESS_FLAGS`), from one minified esbuild bundle of `ingest-child.ts` and its
 * packages, as a Worker is deployed: no TypeScript loader, and no per-module resolution (with
 * packages external, Node's loader reads Effect's package.json exports for every import and
 * fills the old generation at start-up). Only the native
 * `libsql` binding stays outside. Figures are ratios against the baseline of the same run;
 * CPU time (user + system) is reported beside wall time because the pipeline overlaps
 * decoding with the writes of earlier batches (see `core/ingest/source-run.ts`). The baseline's
 * JSON is built before its clock starts: it is the driver and SQLite alone.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import { rowsForBytes, writeTradesCsv } from "./trades-file";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    gib: { type: "string", default: "1" },
    "heap-mb": { type: "string", default: "32" },
    repeat: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const rows = Number(values.rows);
const gib = Number(values.gib);
const repeat = Math.max(1, Number(values.repeat));
// Two levels below the repository root, like `src/node/`, so the bundle finds `migrations/`.
const CHILD = fileURLToPath(new URL("./.out/ingest-child.mjs", import.meta.url));
await build({
  entryPoints: [fileURLToPath(new URL("./ingest-child.ts", import.meta.url))],
  outfile: CHILD,
  bundle: true,
  // Minified, the code's own strings and scopes take less of the capped heap, which goes to
  // the rows instead.
  minify: true,
  platform: "node",
  format: "esm",
  external: ["libsql"],
  // CommonJS dependencies bundled into an ES module still call `require`.
  banner: {
    js: 'import { createRequire as bundleRequire } from "node:module"; const require = bundleRequire(import.meta.url);',
  },
  logLevel: "warning",
});

// The pipeline against the raw baseline of the same run (docs/performance.md).
const TIME_RATIO_TARGET = 1.15;
const CPU_RATIO_TARGET = 1.8;

const dir = mkdtempSync(join(tmpdir(), "dataspine-bench-"));
const log = (text: string) => process.stderr.write(`${text}\n`);

interface Measurement {
  readonly mode: string;
  readonly rows: number;
  readonly seconds: number;
  readonly rows_per_s: number;
  readonly max_rss_mb: number;
  readonly max_heap_used_mb: number;
  readonly max_external_mb: number;
  readonly cpu_s: number;
}

// The pipeline runs with its V8 heap capped, as a Worker isolate is: finishing at all proves
// the ingestion holds a bounded working set whatever the file size. The young generation
// (semi-space) size is the fastest found (docs/performance.md).
const heapMb = Number(values["heap-mb"]);
const SEMI_SPACE_MB = 4;
// Both steps run as a lean ingestion process is run (docs/performance.md has the figures):
// - `MALLOC_ARENA_MAX=1`: one malloc arena for all threads instead of one per thread that
//   allocates (the writer thread, V8's helpers);
// - `--no-allocation-site-pretenuring`: V8 otherwise learns that a batch's row objects
//   outlive a scavenge and allocates them old, where they keep their young strings alive until
//   the next full collection.
const PROCESS_ENV_SETTINGS = { MALLOC_ARENA_MAX: "1" };
const PROCESS_FLAGS = ["--no-allocation-site-pretenuring"];
const measure = (mode: string, db: string, arg: string): Measurement => {
  const heap =
    mode === "pipeline"
      ? [`--max-old-space-size=${heapMb}`, `--max-semi-space-size=${SEMI_SPACE_MB}`]
      : [];
  const args = [...PROCESS_FLAGS, ...heap, CHILD, mode, `file:${join(dir, db)}`, arg];
  const out = execFileSync(process.execPath, args, {
    env: { ...process.env, ...PROCESS_ENV_SETTINGS },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as Measurement;
};

try {
  const csv = join(dir, "trades.csv");
  log(`generating ${rows.toLocaleString()} trades…`);
  const csvBytes = await writeTradesCsv(csv, rows);
  // Baseline and pipeline alternate, `repeat` times each, every run on a fresh database; the
  // fastest of each is kept (a shared 2-core machine only ever adds time), and all are shown.
  const raws: Array<Measurement> = [];
  const pipelines: Array<Measurement> = [];
  for (let i = 1; i <= repeat; i++) {
    log(`raw baseline (json_each upsert), run ${i}/${repeat}…`);
    raws.push(measure("raw", `raw-${i}.db`, String(rows)));
    log(`  ${raws.at(-1)?.rows_per_s.toLocaleString()} rows/s`);
    log(`pipeline (execution_csv, end to end), run ${i}/${repeat}…`);
    pipelines.push(measure("pipeline", `pipeline-${i}.db`, csv));
    log(`  ${pipelines.at(-1)?.rows_per_s.toLocaleString()} rows/s`);
    rmSync(join(dir, `raw-${i}.db`), { force: true });
    rmSync(join(dir, `pipeline-${i}.db`), { force: true });
  }
  const fastest = (runs: ReadonlyArray<Measurement>) =>
    runs.reduce((best, m) => (m.seconds < best.seconds ? m : best));
  const raw = fastest(raws);
  const pipeline = fastest(pipelines);

  let memory: (Measurement & { readonly file_bytes: number }) | undefined;
  let idle: Measurement | undefined;
  if (gib > 0) {
    // The same process over 10 rows: what RSS is before any data (Node, V8, the libSQL
    // library, the writer thread, the code), so the big file's growth above it is visible.
    const tiny = join(dir, "tiny.csv");
    await writeTradesCsv(tiny, 10);
    idle = measure("pipeline", "tiny.db", tiny);
    const big = join(dir, "big.csv");
    const bigRows = rowsForBytes(gib * 2 ** 30);
    log(`generating ${(gib * 1024).toFixed(0)} MiB (${bigRows.toLocaleString()} trades)…`);
    const fileBytes = await writeTradesCsv(big, bigRows);
    rmSync(csv, { force: true });
    log("pipeline over the big file…");
    memory = { ...measure("pipeline", "big.db", big), file_bytes: fileBytes };
    log(`  peak RSS ${memory.max_rss_mb} MB, ${memory.rows_per_s.toLocaleString()} rows/s`);
  }
  const growth = memory && idle ? memory.max_rss_mb - idle.max_rss_mb : undefined;

  const result = {
    rows,
    csv_bytes: csvBytes,
    raw_upsert: raw,
    pipeline,
    repeat,
    raw_seconds_all: raws.map((m) => m.seconds),
    pipeline_seconds_all: pipelines.map((m) => m.seconds),
    pipeline_vs_raw_time: Number((pipeline.seconds / raw.seconds).toFixed(2)),
    pipeline_heap_cap_mb: heapMb,
    pipeline_vs_raw_cpu: Number((pipeline.cpu_s / raw.cpu_s).toFixed(2)),
    targets: {
      pipeline_rows_per_s: { target: 150_000, met: pipeline.rows_per_s >= 150_000 },
      time_ratio_vs_raw: {
        target: TIME_RATIO_TARGET,
        met: pipeline.seconds / raw.seconds <= TIME_RATIO_TARGET,
      },
      cpu_ratio_vs_raw: {
        target: CPU_RATIO_TARGET,
        met: pipeline.cpu_s / raw.cpu_s <= CPU_RATIO_TARGET,
      },
      ...(memory ? { peak_rss_mb: { target: 128, met: memory.max_rss_mb < 128 } } : {}),
    },
    ...(memory ? { big_file: memory } : {}),
    ...(idle ? { ten_row_file_max_rss_mb: idle.max_rss_mb, big_file_rss_growth_mb: growth } : {}),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      [
        `rows                      ${rows.toLocaleString()} (${(csvBytes / 2 ** 20).toFixed(1)} MiB CSV)`,
        `runs                      ${repeat} of each, alternating; fastest kept (raw ${result.raw_seconds_all.join(" / ")} s; pipeline ${result.pipeline_seconds_all.join(" / ")} s)`,
        `raw json_each upsert      ${raw.rows_per_s.toLocaleString()} rows/s  (${raw.seconds} s, CPU ${raw.cpu_s} s, peak RSS ${raw.max_rss_mb} MB)`,
        `pipeline end to end       ${pipeline.rows_per_s.toLocaleString()} rows/s  (${pipeline.seconds} s, CPU ${pipeline.cpu_s} s, peak RSS ${pipeline.max_rss_mb} MB, peak heap ${pipeline.max_heap_used_mb} MB)`,
        `pipeline / raw time       ${result.pipeline_vs_raw_time}× (target ≤ ${TIME_RATIO_TARGET}×); CPU ${result.pipeline_vs_raw_cpu}× (target ≤ ${CPU_RATIO_TARGET}×)`,
        `pipeline V8 heap cap      ${heapMb} MB (--max-old-space-size, --max-semi-space-size=${SEMI_SPACE_MB})`,
        `process settings          ${[...Object.entries(PROCESS_ENV_SETTINGS).map(([k, v]) => `${k}=${v}`), ...PROCESS_FLAGS].join(" ")}`,
        ...(memory
          ? [
              `${(memory.file_bytes / 2 ** 30).toFixed(2)} GiB file          ${memory.rows.toLocaleString()} rows, ${memory.rows_per_s.toLocaleString()} rows/s, peak RSS ${memory.max_rss_mb} MB (target < 128 MB), peak heap ${memory.max_heap_used_mb} MB`,
              `  same process, 10 rows    peak RSS ${idle?.max_rss_mb} MB: the big file adds ${growth} MB`,
            ]
          : []),
      ]
        .map((l) => `${l}\n`)
        .join(""),
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(CHILD, { force: true });
}
