/**
 * `dataspine run <pipeline> --partition <key> [--alert-file <path>] [--json]`: one run
 * through the runner, then the alert delivery pass.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import { compactUtcStamp } from "../../core/model/ids";
import type { RunResult } from "../../core/model/run-result";
import { type RunRequest, runPipeline } from "../../core/pipeline/runner";
import { PIPELINES } from "../../domains/registry";
import { ALERT_FILE_OPTION, type CliAlerts, cliAlerts, withAlertDelivery } from "../alert-delivery";
import { startDemoFeed } from "../dev/demo-feed-server";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

/** Prints a run result (JSON or human) and returns the exit code. */
export const printRunResult = (json: boolean, result: RunResult): number => {
  const { counts } = result;
  print(
    json,
    result,
    `${result.status} ${result.pipeline} ${result.partition}\n  capture ${result.capture_id}\n` +
      `  received ${counts.received}, valid ${counts.valid}, quarantined ${counts.quarantined}, written ${counts.written}` +
      (result.error ? `\n  error [${result.error.tag}] ${result.error.message}` : ""),
  );
  return result.status === "failed" ? 1 : 0;
};

/**
 * Runs one partition on the embedded default through the runner. Without a configured
 * source (`MARKET_DATA_BASE_URL`) the demo feed answers, started in-process. Alerts are
 * delivered after the run.
 */
export const runLocally = async (request: RunRequest, alerts: CliAlerts) => {
  const feed = process.env.MARKET_DATA_BASE_URL ? undefined : await startDemoFeed({ port: 0 });
  try {
    return await Effect.runPromiseExit(
      withAlertDelivery(runPipeline(PIPELINES, request), alerts).pipe(
        Effect.provide(cliLayer(feed ? { MARKET_DATA_BASE_URL: feed.url } : {})),
      ),
    );
  } finally {
    await feed?.close();
  }
};

export const runCommand: Command = {
  name: "run",
  usage: "dataspine run <pipeline> --partition <key> [--alert-file <path>] [--json]",
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {
      partition: { type: "string", short: "p" },
      ...ALERT_FILE_OPTION,
    });
    const pipeline = positionals[0];
    if (!pipeline || !values.partition) {
      throw new UsageError("run needs <pipeline> and --partition <key>");
    }
    const exit = await runLocally(
      {
        pipeline,
        partition: values.partition,
        trigger: "cli",
        batchId: `cli.${compactUtcStamp(new Date())}`,
      },
      cliAlerts(values["alert-file"]),
    );
    if (Exit.isSuccess(exit)) return printRunResult(values.json, exit.value);
    if (exit.cause._tag === "Fail") {
      const error = exit.cause.error;
      print(values.json, { error: error._tag, message: error.message }, `error: ${error.message}`);
      return 2;
    }
    throw new Error(String(exit.cause));
  },
};
