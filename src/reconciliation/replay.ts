/**
 * Replays: a pipeline's canonical output over a date range, recomputed from the same source
 * in replay mode (nothing written to live tables), as canonical JSONL with its sha256.
 *
 * The plan is a backfill plan (`core/backfill/backfill.ts`: same range ⇒ same partitions in the same
 * order) over the pipeline's replay defaults. Each partition's records are sorted by the
 * pipeline's key and written as canonical lines, partitions in plan order, so two replays of
 * one range are byte-identical. The sha256 of each partition's lines is recorded against the
 * partition's latest capture in `core_manifest` (`metadata.replay`).
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import {
  type BackfillPlan,
  type BackfillRequest,
  MAX_BACKFILL_DAYS,
  planBackfill,
} from "../core/backfill/backfill";
import type { BackfillParams } from "../core/backfill/range";
import type { CanonicalRecord } from "../core/model/canonical-record";
import { isRetryable, UnknownPipeline } from "../core/model/errors";
import { compactUtcStamp, type PartitionKey } from "../core/model/ids";
import { appendAuditEvents } from "../core/pipeline/audit-log";
import type { Pipeline, PipelineServices, ReplayMode } from "../core/pipeline/pipeline";
import type { Registry } from "../core/pipeline/registry";
import { latestCapture, patchManifestMetadata } from "../core/store/manifest";
import { canonicalText, sortRecords } from "./canonical";
import { ReplayNotSupported, ReplayPartitionFailed } from "./errors";
import { Sha256 } from "./incremental-sha256";

/** A replay id: `replay.<UTC stamp>.<12 hex>`. */
export const newReplayId = (at: Date): string =>
  `replay.${compactUtcStamp(at)}.${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;

/** Whether a string is a well-formed replay id. */
export const isReplayId = (text: string): boolean =>
  /^replay\.\d{8}T\d{6}Z\.[0-9a-f]{12}$/.test(text);

/** A pipeline with its replay mode. */
export interface Replayable {
  readonly pipeline: Pipeline;
  readonly replay: ReplayMode;
}

/** Finds a pipeline that can be replayed. */
export const replayable = (registry: Registry<Pipeline>, name: string) =>
  Effect.gen(function* () {
    const pipeline = registry.get(name);
    if (!pipeline) {
      return yield* new UnknownPipeline({
        pipeline: name,
        message: `unknown pipeline "${name}"; registered: ${registry.names().join(", ")}`,
      });
    }
    if (!pipeline.replay) {
      return yield* new ReplayNotSupported({
        pipeline: name,
        message: `${name} has no replay mode`,
      });
    }
    return { pipeline, replay: pipeline.replay } satisfies Replayable;
  });

/** Plans a replay: the backfill plan of the range, the pipeline's default params filled in. */
export const planReplay = (
  registry: Registry<Pipeline>,
  request: BackfillRequest,
  maxDays = MAX_BACKFILL_DAYS,
) =>
  Effect.gen(function* () {
    const { replay } = yield* replayable(registry, request.pipeline);
    const params: BackfillParams = { ...replay.defaultParams, ...request.params };
    return yield* planBackfill(registry, { ...request, params }, maxDays);
  }).pipe(Effect.withSpan("Replay.plan"));

/** One partition replayed: its records in key order, as canonical JSONL, and its hash. */
export interface PartitionReplay {
  readonly partition: PartitionKey;
  readonly records: ReadonlyArray<CanonicalRecord>;
  /** Canonical JSONL (every line ends with `\n`; empty for no records). */
  readonly text: string;
  readonly sha256: string;
}

/** Recomputes one partition in replay mode; a source failure is `ReplayPartitionFailed`. */
export const replayPartition = (target: Replayable, partition: PartitionKey) =>
  target.replay.records(partition).pipe(
    Effect.mapError(
      (error) =>
        new ReplayPartitionFailed({
          partition,
          tag: error._tag,
          retryable: isRetryable(error),
          message: `${partition}: ${error.message}`,
        }),
    ),
    Effect.map((records): PartitionReplay => {
      const sorted = sortRecords(records, target.replay.key);
      return { partition, records: sorted, ...canonicalText(sorted) };
    }),
    Effect.withSpan("Replay.partition", { attributes: { partition } }),
  );

/** What a replay records against a partition's latest capture. */
export interface ReplayStamp {
  readonly replay_id: string;
  readonly sha256: string;
  readonly records: number;
  readonly replayed_at: string;
  /** Whether the replay reproduced the capture's own output hash; null if it has none. */
  readonly matches_capture: boolean | null;
}

/** The output hash the runner recorded for a capture, if any. */
export const captureOutputHash = (metadata: Readonly<Record<string, unknown>>) => {
  const output = metadata.output as { readonly sha256?: unknown } | undefined;
  return typeof output?.sha256 === "string" ? output.sha256 : undefined;
};

/**
 * Records a partition's replay hash against its latest capture (`metadata.replay` in
 * `core_manifest`) and appends a `replayed` audit event. Returns the capture id and whether
 * the replay reproduced its output hash, or undefined when the partition was never captured.
 */
export const recordReplay = (
  pipeline: Pipeline,
  result: PartitionReplay,
  replayId: string,
  at: string,
) =>
  Effect.gen(function* () {
    const capture = yield* latestCapture(pipeline.domain, pipeline.stage, result.partition);
    if (!capture) return undefined;
    const captured = captureOutputHash(capture.metadata);
    const stamp: ReplayStamp = {
      replay_id: replayId,
      sha256: result.sha256,
      records: result.records.length,
      replayed_at: at,
      matches_capture: captured === undefined ? null : captured === result.sha256,
    };
    yield* patchManifestMetadata(capture.capture_id, { replay: stamp });
    yield* appendAuditEvents(
      [
        {
          eventType: "replayed",
          entityType: "partition",
          entityId: result.partition,
          domain: pipeline.domain,
          partitionKey: result.partition,
          captureId: capture.capture_id,
          newState: {
            sha256: result.sha256,
            records: result.records.length,
            matches_capture: stamp.matches_capture,
          },
          metadata: { pipeline: pipeline.name, replay_id: replayId },
        },
      ],
      at,
    );
    return { captureId: capture.capture_id, matchesCapture: stamp.matches_capture };
  });

/** One partition of a finished replay. */
export interface ReplayedPartition {
  readonly partition: string;
  readonly records: number;
  readonly sha256: string;
  /** The capture the hash was recorded against, or null (never captured, or not recorded). */
  readonly capture_id: string | null;
  /** Whether the replay reproduced that capture's output hash; null when unknown. */
  readonly matches_capture: boolean | null;
}

/** The summary of a replay: `sha256` is the hash of the whole JSONL output. */
export interface ReplaySummary {
  readonly replay_id: string;
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly params: BackfillParams;
  readonly partitions: number;
  readonly records: number;
  readonly sha256: string;
  readonly duration_ms: number;
  readonly by_partition: ReadonlyArray<ReplayedPartition>;
}

export interface RunReplayOptions<E = never> {
  readonly replayId: string;
  /** Receives the output, partition by partition, in plan order. */
  readonly write: (text: string) => Effect.Effect<void>;
  /** Record each partition's hash against its latest capture. Default true. */
  readonly record?: boolean;
  /** Partitions recomputed at once (output order is unaffected). Default 4. */
  readonly concurrency?: number;
  /** Called after each partition is written (e.g. reconciliation, progress). */
  readonly onPartition?: (result: PartitionReplay) => Effect.Effect<void, E, PipelineServices>;
}

/**
 * Replays every partition of a plan in process (the CLI): windows of `concurrency`
 * partitions are recomputed at once and written in plan order; memory is one window.
 */
export const runReplay = <E = never>(
  registry: Registry<Pipeline>,
  plan: BackfillPlan,
  options: RunReplayOptions<E>,
) =>
  Effect.gen(function* () {
    const target = yield* replayable(registry, plan.pipeline);
    const startedMs = yield* Clock.currentTimeMillis;
    const concurrency = options.concurrency ?? 4;
    const hash = new Sha256();
    const byPartition: Array<ReplayedPartition> = [];
    let records = 0;
    for (let at = 0; at < plan.partitions.length; at += concurrency) {
      const window = plan.partitions.slice(at, at + concurrency);
      const results = yield* Effect.forEach(window, (p) => replayPartition(target, p), {
        concurrency,
      });
      for (const result of results) {
        yield* options.write(result.text);
        hash.update(result.text);
        records += result.records.length;
        const now = new Date(yield* Clock.currentTimeMillis).toISOString();
        const recorded =
          options.record === false
            ? undefined
            : yield* recordReplay(target.pipeline, result, options.replayId, now);
        byPartition.push({
          partition: result.partition,
          records: result.records.length,
          sha256: result.sha256,
          capture_id: recorded?.captureId ?? null,
          matches_capture: recorded?.matchesCapture ?? null,
        });
        if (options.onPartition) yield* options.onPartition(result);
      }
    }
    const summary: ReplaySummary = {
      replay_id: options.replayId,
      pipeline: plan.pipeline,
      start: plan.start,
      end: plan.end,
      params: plan.params,
      partitions: plan.partitions.length,
      records,
      sha256: hash.hex(),
      duration_ms: (yield* Clock.currentTimeMillis) - startedMs,
      by_partition: byPartition,
    };
    return summary;
  }).pipe(Effect.withSpan("Replay.run"));
