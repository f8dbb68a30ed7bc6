/**
 * Reconciliation of a partition: its stored rows (old) against a replay of its inputs
 * (new), field by field. A mismatch becomes a `RECONCILIATION` anomaly of the partition (one
 * per partition, deterministic id; resolved by a later clean reconciliation), and every
 * recorded reconciliation appends a `reconciled` audit event with the counts and hashes.
 * A partition that was never captured is compared but nothing is recorded for it.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import type { CanonicalRecord } from "../core/model/canonical-record";
import {
  BatchId,
  CaptureId,
  newExecutionId,
  type PartitionKey,
  PipelineName,
} from "../core/model/ids";
import type { RunContext } from "../core/model/run-context";
import { auditRun } from "../core/pipeline/audit-log";
import { storedOutput } from "../core/pipeline/stored-output";
import { recordAnomalies, resolveAnomalies } from "../core/store/anomalies";
import { latestCapture } from "../core/store/manifest";
import { canonicalText, keyText, sortRecords } from "./canonical";
import { type BatchDiff, DuplicateKey, diffBatches, isClean } from "./diff";
import { AmbiguousKey } from "./errors";
import { type PartitionReplay, type Replayable, replayPartition } from "./replay";

/** Modified records kept in the anomaly and audit metadata. */
const SAMPLE = 20;
const ANOMALY_KEY = "partition";

/** The outcome of reconciling one partition. */
export interface PartitionReconciliation {
  readonly pipeline: string;
  readonly partition: string;
  /** The capture whose rows were compared (the latest), or null if never captured. */
  readonly capture_id: string | null;
  readonly stored: { readonly records: number; readonly sha256: string };
  readonly replay: { readonly records: number; readonly sha256: string };
  readonly clean: boolean;
  readonly diff: BatchDiff;
}

export interface ReconcileOptions {
  /** A replay already computed for this partition (else one is run). */
  readonly replayed?: PartitionReplay;
  /** Write the anomaly (or resolve it) and the `reconciled` audit event. Default true. */
  readonly record?: boolean;
  /** Groups the audit and anomaly rows (the replay id). */
  readonly batchId?: string;
}

/** Compares stored rows with replayed ones: `diff` with stored as old, replay as new. */
export const compareStored = (
  target: Replayable,
  stored: ReadonlyArray<CanonicalRecord>,
  replayed: ReadonlyArray<CanonicalRecord>,
) =>
  Effect.try({
    try: () => diffBatches(stored, replayed, { key: target.replay.key }),
    catch: (error) => {
      if (error instanceof DuplicateKey) return new AmbiguousKey({ message: error.message });
      throw error;
    },
  });

/** The diff of a batch with an identical one: every record unchanged. */
const unchangedDiff = (key: ReadonlyArray<string>, records: number): BatchDiff => ({
  key,
  added: [],
  removed: [],
  modified: [],
  summary: { old: records, new: records, added: 0, removed: 0, modified: 0, unchanged: records },
});

/** Whether records in key order repeat a key (comparing them would be ambiguous). */
const repeatsKey = (sorted: ReadonlyArray<CanonicalRecord>, key: ReadonlyArray<string>) => {
  let last: string | undefined;
  for (const record of sorted) {
    const k = keyText(record, key);
    if (k === last) return true;
    last = k;
  }
  return false;
};

/**
 * The stored side of a reconciliation and its diff with the replay. The stored output is
 * hashed first, page by page where the pipeline can; when it is the replay's byte for byte,
 * nothing differs and the partition is never read whole. Otherwise the rows are read for the
 * field-level diff.
 */
const storedSide = (target: Replayable, partition: PartitionKey, replayed: PartitionReplay) =>
  Effect.gen(function* () {
    const { replay } = target;
    const hashed = yield* storedOutput(replay, partition);
    if (
      hashed.sha256 === replayed.sha256 &&
      hashed.records === replayed.records.length &&
      !repeatsKey(replayed.records, replay.key)
    ) {
      return { stored: hashed, diff: unchangedDiff(replay.key, hashed.records) };
    }
    const rows = sortRecords(yield* replay.stored(partition), replay.key);
    const diff = yield* compareStored(target, rows, replayed.records);
    return { stored: { records: rows.length, sha256: canonicalText(rows).sha256 }, diff };
  });

/** Reconciles one partition; see the module doc. */
export const reconcilePartition = (
  target: Replayable,
  partition: PartitionKey,
  options: ReconcileOptions = {},
) =>
  Effect.gen(function* () {
    const { pipeline } = target;
    const replayed = options.replayed ?? (yield* replayPartition(target, partition));
    const { stored, diff } = yield* storedSide(target, partition, replayed);
    const capture = yield* latestCapture(pipeline.domain, pipeline.stage, partition);
    const result: PartitionReconciliation = {
      pipeline: pipeline.name,
      partition,
      capture_id: capture?.capture_id ?? null,
      stored,
      replay: { records: replayed.records.length, sha256: replayed.sha256 },
      clean: isClean(diff),
      diff,
    };
    // A partition never captured has nothing stored to disagree with: reported, not recorded.
    if (options.record === false || capture === undefined) return result;

    const nowMs = yield* Clock.currentTimeMillis;
    const executionId = newExecutionId();
    const ctx: RunContext = {
      pipeline: PipelineName.make(pipeline.name),
      domain: pipeline.domain,
      stage: pipeline.stage,
      partitionKey: partition,
      captureId: CaptureId.make(capture?.capture_id ?? `reconcile.${partition}`),
      capturedAt: new Date(nowMs).toISOString(),
      executionId,
      batchId: BatchId.make(options.batchId ?? `reconcile.${executionId}`),
    };
    const counts = diff.summary;
    const sample = {
      added: diff.added.slice(0, SAMPLE),
      removed: diff.removed.slice(0, SAMPLE),
      modified: diff.modified.slice(0, SAMPLE),
    };
    if (result.clean) {
      yield* resolveAnomalies(ctx, "RECONCILIATION", [ANOMALY_KEY]);
    } else {
      const fields = [...new Set(diff.modified.flatMap((m) => Object.keys(m.diffs)))].sort();
      yield* recordAnomalies(ctx, [
        {
          rule: "RECONCILIATION",
          severity: counts.modified > 0 || counts.removed > 0 ? "HIGH" : "MEDIUM",
          key: ANOMALY_KEY,
          message: `${pipeline.name} ${partition}: stored rows differ from a replay of the source: ${counts.added} added, ${counts.removed} removed, ${counts.modified} modified${fields.length > 0 ? ` (fields: ${fields.join(", ")})` : ""}`,
          metadata: { summary: counts, fields, ...sample },
        },
      ]);
    }
    yield* auditRun(ctx)([
      {
        eventType: "reconciled",
        entityType: "partition",
        entityId: partition,
        oldState: { stored_records: result.stored.records, stored_sha256: result.stored.sha256 },
        newState: {
          replay_records: result.replay.records,
          replay_sha256: result.replay.sha256,
          added: counts.added,
          removed: counts.removed,
          modified: counts.modified,
          unchanged: counts.unchanged,
          clean: result.clean,
        },
        metadata: { pipeline: pipeline.name, ...(result.clean ? {} : sample) },
      },
    ]);
    return result;
  }).pipe(Effect.withSpan("Reconcile.partition", { attributes: { partition } }));
