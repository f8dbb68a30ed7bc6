/**
 * Runs one registered pipeline for one partition: capture id, manifest, retries, audit.
 *
 * Every entry point (CLI, Worker actor, tests) goes through `runPipeline`, so a run means
 * the same thing everywhere.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import type { AuditEventType } from "../model/audit-event";
import { isRetryable, UnknownPipeline } from "../model/errors";
import {
  BatchId,
  makeCaptureId,
  newExecutionId,
  type PartitionKey,
  type PipelineName,
} from "../model/ids";
import type { RunContext } from "../model/run-context";
import { emptyCounts, type RunResult, type RunTrigger } from "../model/run-result";
import { deadLetterOnFailure } from "../store/dead-letters";
import { type CaptureOutput, upsertManifest } from "../store/manifest";
import { markReadiness } from "../store/readiness";
import { auditRun } from "./audit-log";
import { requireDependenciesReady } from "./calc-dependencies";
import { OutputDigest } from "./output-digest";
import { refuseFuturePartition } from "./partition-time";
import type { Pipeline, ReplayMode } from "./pipeline";
import { applyQualityGate, gateRunError } from "./quality-gate";
import type { Registry } from "./registry";
import { type RunEnding, recordRunAnomalies } from "./run-anomalies";
import { markInterruptedCaptures, RunOwner } from "./run-owner";

export interface RunRequest {
  readonly pipeline: string;
  readonly partition: string;
  readonly trigger: RunTrigger;
  /** Groups runs started together. Default: `<trigger>.<execution id>`. */
  readonly batchId?: string;
  /** Attempt number across invocations (actor alarms); added to in-run attempts. */
  readonly priorAttempts?: number;
  /**
   * No retry follows this run (default true): a transient failure is then dead-lettered
   * too. Actors pass false while their alarm will still retry.
   */
  readonly finalAttempt?: boolean;
}

/** Finds a pipeline and checks the partition key against it. */
export const resolveRun = (registry: Registry<Pipeline>, pipeline: string, partition: string) =>
  Effect.gen(function* () {
    const found = registry.get(pipeline);
    if (!found) {
      return yield* new UnknownPipeline({
        pipeline,
        message: `unknown pipeline "${pipeline}"; registered: ${registry.names().join(", ")}`,
      });
    }
    const key = found.parsePartition(partition);
    if (Either.isLeft(key)) return yield* key.left;
    return { pipeline: found, partitionKey: key.right } as const;
  });

/** The audit event that closes a run, by its final status. */
const FINAL_EVENT = {
  complete: "run_completed",
  no_data_expected: "no_data_expected",
  skipped: "run_skipped",
  failed: "run_failed",
  pending: "run_failed",
  running: "run_failed",
  retrying: "run_failed",
} as const satisfies Record<RunResult["status"], AuditEventType>;

/**
 * The hash of the partition's canonical output as this capture left it (best effort: a
 * read failure leaves it out). Replays compare their output with it.
 */
const capturedOutput = (replay: ReplayMode, partition: PartitionKey) =>
  Effect.flatMap(OutputDigest, (digest) =>
    replay.stored(partition).pipe(
      Effect.map((rows): CaptureOutput | undefined => digest.ofStored(replay.key, rows)),
      Effect.catchAll((error) =>
        Effect.logWarning("capture output hash skipped", error).pipe(Effect.as(undefined)),
      ),
    ),
  );

const isoNow = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)));

/**
 * Runs the pipeline once (sources retry their own transient errors), applies its quality
 * gate, and records the capture in `core_manifest`, `core_data_readiness`, the audit log and
 * (for rejected records, a failed gate or source) `core_anomalies`. Source, database and gate
 * failures end in a `failed` result, never in a failed effect; only bad input (unknown
 * pipeline, bad or future partition, dependencies not ready) fails the effect.
 */
export const runPipeline = (registry: Registry<Pipeline>, request: RunRequest) =>
  Effect.gen(function* () {
    const { pipeline, partitionKey } = yield* resolveRun(
      registry,
      request.pipeline,
      request.partition,
    );
    yield* refuseFuturePartition(pipeline.name, partitionKey, pipeline.partitionDate(partitionKey));
    yield* requireDependenciesReady(registry, pipeline, partitionKey);
    const startedAt = yield* isoNow;
    const executionId = newExecutionId();
    const ctx: RunContext = {
      pipeline: pipeline.name as PipelineName,
      domain: pipeline.domain,
      stage: pipeline.stage,
      partitionKey,
      captureId: makeCaptureId(pipeline.domain, pipeline.stage, partitionKey, startedAt),
      capturedAt: startedAt.toISOString(),
      executionId,
      batchId: BatchId.make(request.batchId ?? `${request.trigger}.${executionId}`),
    };
    const audit = auditRun(ctx);
    const owner = Option.map(yield* Effect.serviceOption(RunOwner), (o) => o.info);
    const manifest = (
      result: RunResult,
      details?: Readonly<Record<string, unknown>>,
      output?: CaptureOutput,
    ) =>
      upsertManifest({
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

    const base: RunResult = {
      status: "running",
      pipeline: ctx.pipeline,
      partition: ctx.partitionKey,
      execution_id: ctx.executionId,
      capture_id: ctx.captureId,
      batch_id: ctx.batchId,
      counts: emptyCounts,
      attempts: request.priorAttempts ?? 0,
      started_at: ctx.capturedAt,
      finished_at: ctx.capturedAt,
    };
    // Bookkeeping failures must not hide the run's own outcome, so they are logged only.
    const bestEffort = <E, R>(effect: Effect.Effect<void, E, R>) =>
      effect.pipe(
        Effect.catchAll((error) =>
          Effect.logError("bookkeeping write failed", error).pipe(
            Effect.annotateLogs({ capture_id: ctx.captureId }),
          ),
        ),
      );
    // A capture of this partition left `running` by an owner that is gone never finishes.
    yield* bestEffort(
      markInterruptedCaptures({
        domain: ctx.domain,
        stage: ctx.stage,
        partitionKey: ctx.partitionKey,
      }).pipe(Effect.asVoid),
    );
    yield* bestEffort(manifest(base));
    yield* bestEffort(
      audit([
        {
          eventType: "run_started",
          entityType: "partition",
          entityId: ctx.partitionKey,
          newState: { status: "running" },
          metadata: { pipeline: ctx.pipeline, trigger: request.trigger },
        },
      ]),
    );

    const outcome = yield* pipeline.run(ctx).pipe(Effect.either);
    const finished = {
      ...base,
      attempts: (request.priorAttempts ?? 0) + 1,
      finished_at: (yield* isoNow).toISOString(),
    };
    const gate = Either.isRight(outcome)
      ? yield* applyQualityGate(pipeline, ctx.partitionKey, outcome.right)
      : undefined;
    let result: RunResult = Either.isRight(outcome)
      ? {
          ...finished,
          status: gate?.failure ? "failed" : outcome.right.status,
          counts: outcome.right.counts,
          ...(gate?.failure ? { error: gateRunError(gate.failure) } : {}),
        }
      : {
          ...finished,
          status: "failed",
          error: {
            tag: outcome.left._tag,
            message: outcome.left.message,
            retryable: isRetryable(outcome.left),
          },
        };
    const deadLetterId = Either.isLeft(outcome)
      ? yield* deadLetterOnFailure(
          ctx,
          outcome.left,
          request.finalAttempt ?? true,
          finished.finished_at,
        )
      : undefined;
    if (deadLetterId !== undefined) {
      result = { ...result, dead_letter_id: deadLetterId };
      yield* bestEffort(
        audit([
          {
            eventType: "dead_lettered",
            entityType: "dead_letter",
            entityId: deadLetterId,
            newState: { status: "open" },
            metadata: { error: result.error },
          },
        ]),
      );
    }
    const output =
      result.status === "complete" && pipeline.replay
        ? yield* capturedOutput(pipeline.replay, partitionKey)
        : undefined;
    const details = Either.isRight(outcome)
      ? { ...outcome.right.details, ...(gate ? { quality_gate: gate.summary } : {}) }
      : undefined;
    yield* bestEffort(manifest(result, details, output));
    // Failed (a gate included) and skipped runs leave their stage not ready.
    yield* bestEffort(
      markReadiness({
        domain: ctx.domain,
        stage: ctx.stage,
        partitionKey: ctx.partitionKey,
        isReady: result.status === "complete" || result.status === "no_data_expected",
        checkedAt: result.finished_at,
      }),
    );
    const ending: RunEnding = Either.isLeft(outcome)
      ? { kind: "error", error: outcome.left, ...(deadLetterId ? { deadLetterId } : {}) }
      : gate
        ? { kind: "finished", counts: result.counts, check: gate }
        : { kind: "other" };
    yield* recordRunAnomalies(ctx, ending);
    yield* bestEffort(
      audit([
        {
          eventType: FINAL_EVENT[result.status],
          entityType: "partition",
          entityId: ctx.partitionKey,
          oldState: { status: "running" },
          newState: { status: result.status, counts: result.counts },
          ...(result.error ? { metadata: { error: result.error, attempts: result.attempts } } : {}),
        },
      ]),
    );
    yield* (result.error ? Effect.logWarning : Effect.logInfo)("run finished").pipe(
      Effect.annotateLogs({
        pipeline: ctx.pipeline,
        partition: ctx.partitionKey,
        status: result.status,
        capture_id: ctx.captureId,
        ...result.counts,
        ...(result.error ? { error: result.error.message } : {}),
      }),
    );
    return result;
  }).pipe(Effect.withSpan("Runner.runPipeline"));
