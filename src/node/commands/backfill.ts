/**
 * `dataspine backfill <pipeline> --start D --end D [--param k=v]… [--concurrency N]
 * [--dry-run] [--alert-file <path>] [--json]`: a backfill on the embedded default, through the
 * runner directly, then the alert delivery pass.
 *
 * Planning and execution live in `core/backfill/backfill.ts`; this adapter parses arguments, draws
 * progress on stderr (a bar on a TTY, plain lines otherwise) and prints the summary.
 */
import * as Effect from "effect/Effect";
import {
  type BackfillPartitionResult,
  type BackfillPlan,
  type BackfillReport,
  DEFAULT_BACKFILL_CONCURRENCY,
  executeBackfill,
  MAX_BACKFILL_CONCURRENCY,
  newBackfillId,
  planBackfill,
} from "../../core/backfill/backfill";
import type { BackfillParams } from "../../core/backfill/range";
import { PIPELINES } from "../../domains/registry";
import { ALERT_FILE_OPTION, cliAlerts, withAlertDelivery } from "../alert-delivery";
import { startDemoFeed } from "../dev/demo-feed-server";
import {
  type Command,
  cliLayer,
  commandArgs,
  planOrReport,
  print,
  RANGE_OPTIONS,
  rangeRequest,
  UsageError,
} from "./shared";

const USAGE =
  "dataspine backfill <pipeline> --start YYYY-MM-DD --end YYYY-MM-DD [--param k=v]… " +
  "[--concurrency N] [--dry-run] [--alert-file <path>] [--json]";

const parseConcurrency = (text: string | undefined): number => {
  if (text === undefined) return DEFAULT_BACKFILL_CONCURRENCY;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BACKFILL_CONCURRENCY) {
    throw new UsageError(`--concurrency must be an integer 1..${MAX_BACKFILL_CONCURRENCY}`);
  }
  return n;
};

const BAR_WIDTH = 24;
/** Without a TTY, a progress line at least this often (besides every 10% step). */
const PLAIN_LINE_INTERVAL_MS = 10_000;

/** Progress on stderr: a redrawn bar on a TTY, a plain line per 10% (or 10 s) otherwise. */
const progressReporter = (total: number, stream: NodeJS.WriteStream = process.stderr) => {
  const tally = { complete: 0, no_data_expected: 0, skipped: 0, failed: 0 };
  let lastStep = 0;
  let lastLineAt = Date.now();
  const counts = () =>
    `complete ${tally.complete}, no_data_expected ${tally.no_data_expected}, ` +
    `${tally.skipped > 0 ? `skipped ${tally.skipped}, ` : ""}failed ${tally.failed}`;
  return {
    onSettled: (result: BackfillPartitionResult, settled: number) =>
      Effect.sync(() => {
        tally[result.status] += 1;
        const ratio = total === 0 ? 1 : settled / total;
        if (stream.isTTY) {
          const filled = Math.round(ratio * BAR_WIDTH);
          const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
          stream.write(`\r\x1b[2K[${bar}] ${settled}/${total}  ${counts()}`);
          if (settled === total) stream.write("\n");
          return;
        }
        const step = Math.floor(ratio * 10);
        const now = Date.now();
        if (step > lastStep || settled === total || now - lastLineAt >= PLAIN_LINE_INTERVAL_MS) {
          lastStep = step;
          lastLineAt = now;
          stream.write(
            `backfill ${settled}/${total} (${Math.floor(ratio * 100)}%): ${counts()} — last ${result.partition} ${result.status}\n`,
          );
        }
      }),
  };
};

const describeParams = (params: BackfillParams) =>
  Object.entries(params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

/** The human summary of a finished backfill. */
export const formatReport = (report: BackfillReport): string => {
  const lines = [
    `backfill ${report.backfill_id} ${report.status}`,
    `  ${report.pipeline} ${report.start}..${report.end} ${describeParams(report.params)}`.trimEnd(),
    `  total ${report.total}, complete ${report.complete}, no_data_expected ${report.no_data_expected}, ` +
      `${report.skipped > 0 ? `skipped ${report.skipped}, ` : ""}failed ${report.failed}`,
  ];
  if (report.failures.length > 0) {
    lines.push("  failed partitions:");
    for (const f of report.failures) {
      lines.push(`    ${f.partition}  [${f.error.tag}] ${f.error.message}`);
    }
  }
  return lines.join("\n");
};

const printDryRun = (json: boolean, plan: BackfillPlan) =>
  print(
    json,
    { dry_run: true, ...plan, total: plan.partitions.length },
    [
      `dry run: ${plan.partitions.length} partitions of ${plan.pipeline}, in this order (nothing ran)`,
      ...plan.partitions,
    ].join("\n"),
  );

/** The `backfill` command. */
export const backfillCommand: Command = {
  name: "backfill",
  usage: USAGE,
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      ...RANGE_OPTIONS,
      concurrency: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      ...ALERT_FILE_OPTION,
    });
    const request = rangeRequest("backfill", positionals, values);
    const concurrency = parseConcurrency(values.concurrency);
    const alerts = cliAlerts(values["alert-file"]);
    const plan = planOrReport(values.json, planBackfill(PIPELINES, request));
    if (plan === undefined) return 2;
    if (values["dry-run"]) {
      printDryRun(values.json, plan);
      return 0;
    }

    // Without a configured source the demo feed answers, started in-process.
    const feed = process.env.MARKET_DATA_BASE_URL ? undefined : await startDemoFeed({ port: 0 });
    try {
      const backfillId = newBackfillId(new Date());
      process.stderr.write(
        `backfill ${backfillId}: ${plan.partitions.length} partitions, concurrency ${concurrency}\n`,
      );
      const report = await Effect.runPromise(
        withAlertDelivery(
          executeBackfill(PIPELINES, plan, {
            backfillId,
            concurrency,
            ...progressReporter(plan.partitions.length),
          }),
          alerts,
        ).pipe(Effect.provide(cliLayer(feed ? { MARKET_DATA_BASE_URL: feed.url } : {}))),
      );
      print(values.json, report, formatReport(report));
      return report.failed > 0 ? 1 : 0;
    } finally {
      await feed?.close();
    }
  },
};
