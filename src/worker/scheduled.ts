/**
 * Cron Trigger: live ingestion of the current partition of every live pipeline, through
 * the partition actors (an already complete partition is left alone), then MissingData over
 * `core_expected_schedules`.
 */

import { compactUtcStamp } from "../core/ids";
import { sourceConfigFromVars } from "../core/source-config";
import { checkMissingData } from "../detectors/missing-data-check";
import { PIPELINES } from "../domains/registry";
import { partitionActor } from "./actors";
import type { Env } from "./env";
import { runtimeFor } from "./runtime";

/** One line of the cron summary log. */
export interface LiveRunSummary {
  readonly pipeline: string;
  readonly partition: string;
  readonly status: string;
  readonly skipped: boolean;
  readonly error?: string;
}

/** Triggers every live partition at `scheduledTime`; resolves when all have answered. */
export const runLive = async (
  env: Env,
  scheduledTime: number,
): Promise<ReadonlyArray<LiveRunSummary>> => {
  const config = sourceConfigFromVars(
    env as unknown as Readonly<Record<string, string | undefined>>,
  );
  const now = new Date(scheduledTime);
  const batchId = `cron.${compactUtcStamp(now)}`;
  const targets = PIPELINES.list().flatMap((p) =>
    p.livePartitions(now, config).map((partition) => ({ pipeline: p.name, partition })),
  );
  const settled = await Promise.allSettled(
    targets.map((t) =>
      partitionActor(env, t.pipeline, t.partition).run({
        ...t,
        trigger: "cron",
        batchId,
        onlyIfIncomplete: true,
      }),
    ),
  );
  const summary = settled.map((s, i): LiveRunSummary => {
    const target = targets[i]!;
    return s.status === "fulfilled"
      ? { ...target, status: s.value.result.status, skipped: s.value.skipped }
      : { ...target, status: "failed", skipped: false, error: String(s.reason) };
  });
  console.log(
    JSON.stringify({
      level: "INFO",
      message: "cron live ingestion",
      batch_id: batchId,
      runs: summary,
    }),
  );
  // After the runs, so a partition ingested by this tick is not reported missing.
  const missing = await runtimeFor(env)
    .runPromise(checkMissingData(PIPELINES.list(), config, scheduledTime))
    .catch((error: unknown) => ({ error: String(error) }));
  console.log(JSON.stringify({ level: "INFO", message: "cron missing data check", ...missing }));
  return summary;
};

/** The `scheduled` handler. */
export const scheduled: ExportedHandlerScheduledHandler<Env> = (controller, env, ctx) => {
  ctx.waitUntil(runLive(env, controller.scheduledTime));
};
