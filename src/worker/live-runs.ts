/**
 * The cron's work, on either host: live ingestion of the current partition of every live
 * pipeline through the partition actors (an already complete partition is left alone), then
 * MissingData over `core_expected_schedules`, then a poke of the alert dispatcher; and the
 * weekly workflows.
 */

import * as Cause from "effect/Cause";
import * as Exit from "effect/Exit";
import { pokeAlerts } from "../actors/alert-dispatcher-core";
import { workflowActor } from "../actors/contract";
import { compactUtcStamp } from "../core/model/ids";
import { checkMissingData } from "../detectors/missing-data-check";
import { PIPELINES, WORKFLOWS } from "../domains/registry";
import { type AppEnv, settingsOf } from "./app-env";
import { WEEKLY_WORKFLOW_CRON } from "./cron-schedules";
import { runForRequest } from "./runtime";

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
  env: AppEnv,
  scheduledTime: number,
): Promise<ReadonlyArray<LiveRunSummary>> => {
  const config = settingsOf(env.VARS).sources;
  const now = new Date(scheduledTime);
  const batchId = `cron.${compactUtcStamp(now)}`;
  const targets = PIPELINES.list().flatMap((p) =>
    p.livePartitions(now, config).map((partition) => ({ pipeline: p.name, partition })),
  );
  const settled = await Promise.allSettled(
    targets.map((t) =>
      env.ACTORS.partition(t.pipeline, t.partition).run({
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
  const checked = await runForRequest(
    env,
    checkMissingData(PIPELINES.list(), config, scheduledTime),
  );
  const missing = Exit.isSuccess(checked)
    ? checked.value
    : { error: String(Cause.squash(checked.cause)) };
  console.log(JSON.stringify({ level: "INFO", message: "cron missing data check", ...missing }));
  // Also the safety net: anomalies written anywhere without a poke are queued now.
  await pokeAlerts(env.ACTORS);
  return summary;
};

/** One line of the weekly cron summary log. */
export interface LiveWorkflowSummary {
  readonly workflow: string;
  readonly partition: string;
  readonly status: string;
  readonly run_id: string | null;
  readonly error?: string;
}

/**
 * Starts every workflow's live runs at `scheduledTime` (for `finra.weekly_refresh`: the latest
 * published week of each tier) through their actors; resolves when all have answered.
 */
export const runLiveWorkflows = async (
  env: AppEnv,
  scheduledTime: number,
): Promise<ReadonlyArray<LiveWorkflowSummary>> => {
  const now = new Date(scheduledTime);
  const batchId = `cron.${compactUtcStamp(now)}`;
  const targets = WORKFLOWS.list().flatMap((w) =>
    w.liveRuns(now).flatMap((params) => {
      const partition = w.partitionOf(params);
      return partition._tag === "Right"
        ? [{ workflow: w.name, params, partition: partition.right as string }]
        : [];
    }),
  );
  const settled = await Promise.allSettled(
    targets.map((t) =>
      workflowActor(env.ACTORS, t.workflow, t.partition).runWorkflow({
        workflow: t.workflow,
        params: t.params,
        trigger: "cron",
        batchId,
      }),
    ),
  );
  const summary = settled.map((s, i): LiveWorkflowSummary => {
    const t = targets[i]!;
    if (s.status === "rejected") {
      return {
        workflow: t.workflow,
        partition: t.partition,
        status: "failed",
        run_id: null,
        error: String(s.reason),
      };
    }
    const response = s.value;
    return {
      workflow: t.workflow,
      partition: t.partition,
      status: response.result?.status ?? "failed",
      run_id: response.result?.run_id ?? null,
      ...(response.error ? { error: response.error.message } : {}),
    };
  });
  console.log(
    JSON.stringify({
      level: "INFO",
      message: "cron weekly workflows",
      batch_id: batchId,
      runs: summary,
    }),
  );
  return summary;
};

/** Runs what `cron` stands for at `scheduledTime`: the weekly workflows, or live ingestion. */
export const runCron = (env: AppEnv, cron: string, scheduledTime: number): Promise<unknown> =>
  cron === WEEKLY_WORKFLOW_CRON
    ? runLiveWorkflows(env, scheduledTime)
    : runLive(env, scheduledTime);
