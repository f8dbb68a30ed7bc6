/**
 * A partition's stored rows against a replay of its source now, checked against one capture
 * (the latest unless named): what `GET /partitions/:pipeline/:partition/diff` answers.
 * Read-only: nothing is recorded.
 */
import * as Effect from "effect/Effect";
import { PartitionNotFound } from "../core/model/errors";
import type { Pipeline } from "../core/pipeline/pipeline";
import type { Registry } from "../core/pipeline/registry";
import { resolveRun } from "../core/pipeline/runner";
import { findCapture, latestCapture } from "../core/store/manifest";
import { CaptureNotFound } from "./errors";
import { reconcilePartition } from "./reconcile";
import { captureOutputHash, replayable } from "./replay";

/** Diffs `partition` of `pipelineName` against capture `against` (default: the latest). */
export const diffPartition = (
  registry: Registry<Pipeline>,
  pipelineName: string,
  partition: string,
  against?: string,
) =>
  Effect.gen(function* () {
    const { pipeline, partitionKey } = yield* resolveRun(registry, pipelineName, partition);
    const target = yield* replayable(registry, pipeline.name);
    const capture = against
      ? yield* findCapture(against)
      : yield* latestCapture(pipeline.domain, pipeline.stage, partitionKey);
    if (!capture) {
      return yield* against
        ? new CaptureNotFound({ capture_id: against, message: `no capture "${against}"` })
        : new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` });
    }
    if (
      capture.partition_key !== partitionKey ||
      !capture.capture_id.startsWith(`${pipeline.domain}.${pipeline.stage}.`)
    ) {
      return yield* new CaptureNotFound({
        capture_id: capture.capture_id,
        message: `${capture.capture_id} is not a capture of ${pipeline.name} ${partitionKey}`,
      });
    }
    const reconciled = yield* reconcilePartition(target, partitionKey, { record: false });
    const captured = captureOutputHash(capture.metadata);
    return {
      pipeline: pipeline.name,
      partition: partitionKey,
      against: {
        capture_id: capture.capture_id,
        captured_at: capture.captured_at,
        status: capture.status,
        output_sha256: captured ?? null,
        last_replay: capture.metadata.replay ?? null,
      },
      stored: reconciled.stored,
      replay: reconciled.replay,
      clean: reconciled.clean,
      // Did the rows change since that capture, and does the source still give its output?
      stored_matches_capture: captured === undefined ? null : captured === reconciled.stored.sha256,
      replay_matches_capture: captured === undefined ? null : captured === reconciled.replay.sha256,
      added: reconciled.diff.added,
      removed: reconciled.diff.removed,
      modified: reconciled.diff.modified,
      summary: reconciled.diff.summary,
    };
  });
