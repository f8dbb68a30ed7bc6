/**
 * The CLI baseline of `npm run bench:edge`, one step per process, on the embedded database the
 * CLI uses (`LIBSQL_URL=file:…` in the environment, the bulk writer thread), through the very
 * code `dataspine backfill` / `dataspine run` run after parsing their arguments (`cliLayer`,
 * `executeBackfill` / `runPipeline`, then the alert delivery pass):
 *   tsx bench/edge-cli.ts backfill <pipeline> <start> <end> <concurrency>
 *   tsx bench/edge-cli.ts run <pipeline> <partition>
 * The services (and the database's migrations) are built before the clock starts. Prints one
 * JSON line: { seconds, rows, partitions, statuses }.
 */
import * as ManagedRuntime from "effect/ManagedRuntime";
import { executeBackfill, newBackfillId, planBackfill } from "../src/core/backfill/backfill";
import { runPipeline } from "../src/core/pipeline/runner";
import { PIPELINES } from "../src/domains/registry";
import { cliAlerts, withAlertDelivery } from "../src/node/alert-delivery";
import { cliLayer } from "../src/node/commands/shared";

const [mode, pipeline, ...rest] = process.argv.slice(2);
if ((mode !== "backfill" && mode !== "run") || pipeline === undefined) {
  throw new Error(
    "usage: edge-cli.ts backfill <pipeline> <start> <end> <concurrency> | run <pipeline> <partition>",
  );
}

const runtime = ManagedRuntime.make(cliLayer());
await runtime.runtime();
const alerts = cliAlerts(undefined);

const tally = (statuses: ReadonlyArray<string>) => {
  const out: Record<string, number> = {};
  for (const s of statuses) out[s] = (out[s] ?? 0) + 1;
  return out;
};

const started = performance.now();
let rows = 0;
let statuses: Record<string, number>;
let partitions: number;
if (mode === "backfill") {
  const [start = "", end = "", concurrency = "4"] = rest;
  const plan = await runtime.runPromise(
    planBackfill(PIPELINES, { pipeline, start, end, params: { universe: "demo" } }),
  );
  const report = await runtime.runPromise(
    withAlertDelivery(
      executeBackfill(PIPELINES, plan, {
        backfillId: newBackfillId(new Date()),
        concurrency: Number(concurrency),
      }),
      alerts,
    ),
  );
  for (const p of report.partitions) rows += p.counts.written;
  partitions = report.partitions.length;
  statuses = tally(report.partitions.map((p) => p.status));
} else {
  const result = await runtime.runPromise(
    withAlertDelivery(
      runPipeline(PIPELINES, { pipeline, partition: rest[0] ?? "", trigger: "cli" }),
      alerts,
    ),
  );
  rows = result.counts.written;
  partitions = 1;
  statuses = tally([result.status]);
}
const seconds = (performance.now() - started) / 1000;
await runtime.dispose();
process.stdout.write(
  `${JSON.stringify({ seconds: Number(seconds.toFixed(3)), rows, partitions, statuses })}\n`,
);
