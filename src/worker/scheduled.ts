/**
 * Cron Trigger: live ingestion of the current partition of every live pipeline, through
 * the partition actors (an already complete partition is left alone), then MissingData over
 * `core_expected_schedules`.
 */

import { compactUtcStamp } from "../core/ids";
import { sourceConfigFromVars } from "../core/source-config";
import { checkMissingData } from "../detectors/missing-data-check";
import { PIPELINES, WORKFLOWS } from "../domains/registry";
import { partitionActor, workflowActor } from "./actors";
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

/** The weekly cron (wrangler.toml): Tuesdays 06:00 UTC, after FINRA's Monday publication. */
export const WEEKLY_WORKFLOW_CRON = "0 6 * * 2";

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
  env: Env,
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
      workflowActor(env, t.workflow, t.partition).runWorkflow({
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
    const response = s.value as {
      result: { status: string; run_id: string } | null;
      error?: { message: string };
    };
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

/** The `scheduled` handler: the weekly cron runs workflows, every other cron live ingestion. */
export const scheduled: ExportedHandlerScheduledHandler<Env> = (controller, env, ctx) => {
  ctx.waitUntil(
    controller.cron === WEEKLY_WORKFLOW_CRON
      ? runLiveWorkflows(env, controller.scheduledTime)
      : runLive(env, controller.scheduledTime),
  );
};
