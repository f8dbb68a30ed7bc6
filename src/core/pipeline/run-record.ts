/**
 * What a run records about itself: its manifest row, the audit event that closes it, and the
 * hash of the output it left (`runner.ts` writes them).
 */
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import type { AuditEventType } from "../model/audit-event";
import type { PartitionKey } from "../model/ids";
import type { RunContext } from "../model/run-context";
import type { RunResult } from "../model/run-result";
import type { CaptureOutput, ManifestEntry } from "../store/manifest";
import type { ReplayMode } from "./pipeline";
import type { RunOwnerInfo } from "./run-owner";
import { storedOutput } from "./stored-output";

/** The manifest row of a capture as `result` leaves it. */
export const manifestEntry = (
  ctx: RunContext,
  owner: Option.Option<RunOwnerInfo>,
  result: RunResult,
  details?: Readonly<Record<string, unknown>>,
  output?: CaptureOutput,
): ManifestEntry => ({
  captureId: ctx.captureId,
  domain: ctx.domain,
  stage: ctx.stage,
  partitionKey: ctx.partitionKey,
  capturedAt: ctx.capturedAt,
  status: result.status,
  rowCount: result.status === "running" ? null : result.counts.written,
  executionId: ctx.executionId,
  batchId: ctx.batchId,
  metadata: {
    pipeline: ctx.pipeline,
    counts: result.counts,
    attempts: result.attempts,
    startedAt: result.started_at,
    ...(result.status === "running" ? {} : { finishedAt: result.finished_at }),
    ...(result.error ? { error: result.error } : {}),
    ...(details ? { details } : {}),
    ...(output ? { output } : {}),
    ...(Option.isSome(owner) ? { owner: owner.value } : {}),
  },
});

/** The audit event that closes a run, by its final status. */
export const FINAL_EVENT = {
  complete: "run_completed",
  no_data_expected: "no_data_expected",
  skipped: "run_skipped",
  failed: "run_failed",
  pending: "run_failed",
  running: "run_failed",
  retrying: "run_failed",
} as const satisfies Record<RunResult["status"], AuditEventType>;

/**
 * The hash of the partition's canonical output as this capture left it, read page by page
 * where the pipeline can (best effort: a read failure leaves it out). Replays compare their
 * output with it.
 */
export const capturedOutput = (replay: ReplayMode, partition: PartitionKey) =>
  storedOutput(replay, partition).pipe(
    Effect.map((output): CaptureOutput | undefined => output),
    Effect.catchAll((error) =>
      Effect.logWarning("capture output hash skipped", error).pipe(Effect.as(undefined)),
    ),
  );
