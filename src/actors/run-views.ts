/**
 * How a partition actor shows itself: its status answer from stored state and history, and a
 * refused request (a thrown error or an Effect `Cause`) as a failed run.
 */
import { emptyCounts, type RunResult } from "../core/model/run-result";
import type { ActorRunRequest, PartitionStatus } from "./contract";
import { failureOf } from "./reply";
import type { ActorRun, ActorState } from "./state-store";

/** JSON text as a value; null stays null. */
export const parseJson = <A>(text: string | null): A | null =>
  text === null ? null : (JSON.parse(text) as A);

/** What `GET /partitions/:pipeline/:partition` answers, newest run first. */
export const statusView = (state: ActorState, runs: ReadonlyArray<ActorRun>): PartitionStatus => ({
  pipeline: state.pipeline,
  partition: state.partitionKey,
  status: state.status,
  stage: state.stage,
  capture_id: state.captureId,
  execution_id: state.executionId,
  row_count: state.rowCount,
  counts: parseJson(state.counts),
  attempts: state.attempts,
  retry_count: state.retryCount,
  last_error: parseJson(state.lastError),
  started_at: state.startedAt,
  finished_at: state.finishedAt,
  next_retry_at: state.nextRetryAt,
  updated_at: state.updatedAt,
  history: runs.map((r) => ({
    execution_id: r.executionId,
    capture_id: r.captureId,
    trigger: r.trigger,
    attempt: r.attempt,
    status: r.status,
    counts: parseJson(r.counts),
    error: parseJson(r.error),
    started_at: r.startedAt,
    finished_at: r.finishedAt,
  })),
});

/** A request the runner refused (unknown pipeline, bad key) as a failed, final result. */
export const rejectedRun = (request: ActorRunRequest, at: string, cause: unknown): RunResult => {
  const failure = failureOf(cause);
  return {
    status: "failed",
    pipeline: request.pipeline,
    partition: request.partition,
    execution_id: "",
    capture_id: "",
    batch_id: request.batchId ?? "",
    counts: emptyCounts,
    attempts: 0,
    started_at: at,
    finished_at: new Date().toISOString(),
    error: { tag: failure.tag, message: failure.message, retryable: false },
  };
};
