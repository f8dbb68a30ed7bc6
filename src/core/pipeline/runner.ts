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
import { PendingWrites } from "../../db/pending-writes";
import { isRetryable, UnknownPipeline } from "../model/errors";
import { BatchId, makeCaptureId, newExecutionId, type PipelineName } from "../model/ids";
import type { RunContext } from "../model/run-context";
import { emptyCounts, type RunResult, type RunTrigger } from "../model/run-result";
import { deadLetterOnFailure } from "../store/dead-letters";
import { type CaptureOutput, upsertManifest } from "../store/manifest";
import { markReadiness } from "../store/readiness";
import { AuditLog, auditRun } from "./audit-log";
import { requireDependenciesReady } from "./calc-dependencies";
import { refuseFuturePartition } from "./partition-time";
import type { Pipeline } from "./pipeline";
import { applyQualityGate, gateRunError } from "./quality-gate";
import type { Registry } from "./registry";
import { type RunEnding, recordRunAnomalies } from "./run-anomalies";
import { markInterruptedCaptures, RunOwner } from "./run-owner";
import { capturedOutput, FINAL_EVENT, manifestEntry } from "./run-record";
import { makeRunWrites, type RunWrites } from "./run-writes";

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

const isoNow = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)));

/**
 * Runs the pipeline once (sources retry their own transient errors), applies its quality
 * gate, and records the capture in `core_manifest`, `core_data_readiness`, the audit log and
 * (for rejected records, a failed gate or source) `core_anomalies`. Source, database and gate
 * failures end in a `failed` result, never in a failed effect; only bad input (unknown
 * pipeline, bad or future partition, dependencies not ready) fails the effect. The manifest,
 * readiness and audit writes are held and ride with the run's writes: its `running` row at
 * the start, its data writes, one request at its end (`run-writes.ts`): a few requests per
 * partition over HTTP.
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
    const writes = yield* makeRunWrites;
    return yield* runCapture(pipeline, request, ctx, writes).pipe(
      Effect.provideService(AuditLog, writes.auditLog),
      Effect.provideService(PendingWrites, writes.pending),
      // However the run ends (a defect too), what it held back is written.
      Effect.onExit(() => bestEffort(ctx, writes.flush)),
    );
  }).pipe(Effect.withSpan("Runner.runPipeline"));

/** Bookkeeping failures must not hide the run's own outcome, so they are logged only. */
const bestEffort = <E, R>(ctx: RunContext, effect: Effect.Effect<void, E, R>) =>
  effect.pipe(
    Effect.catchAll((error) =>
      Effect.logError("bookkeeping write failed", error).pipe(
        Effect.annotateLogs({ capture_id: ctx.captureId }),
      ),
    ),
  );

/** One capture of a resolved partition: everything `runPipeline` records, in order. */
const runCapture = (pipeline: Pipeline, request: RunRequest, ctx: RunContext, writes: RunWrites) =>
  Effect.gen(function* () {
    const partitionKey = ctx.partitionKey;
    const audit = auditRun(ctx);
    const owner = Option.map(yield* Effect.serviceOption(RunOwner), (o) => o.info);
    // The run's bookkeeping is held; it goes out with the run's next write, or at its end.
    const manifest = (
      result: RunResult,
      details?: Readonly<Record<string, unknown>>,
      output?: CaptureOutput,
    ) =>
      bestEffort(
        ctx,
        writes.hold(upsertManifest(manifestEntry(ctx, owner, result, details, output))),
      );
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
    // A capture of this partition left `running` by an owner that is gone never finishes.
    yield* bestEffort(
      ctx,
      markInterruptedCaptures({
        domain: ctx.domain,
        stage: ctx.stage,
        partitionKey: ctx.partitionKey,
      }).pipe(Effect.asVoid),
    );
    yield* manifest(base);
    yield* bestEffort(
      ctx,
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
    // The `running` row goes out now, so the partition shows as running while it runs (a
    // fetch may take long); `run_started` goes along when the audit log's tail is known.
    yield* bestEffort(ctx, writes.pending.flush);

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
        ctx,
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
    yield* manifest(result, details, output);
    // Failed (a gate included) and skipped runs leave their stage not ready.
    yield* bestEffort(
      ctx,
      writes.hold(
        markReadiness({
          domain: ctx.domain,
          stage: ctx.stage,
          partitionKey: ctx.partitionKey,
          isReady: result.status === "complete" || result.status === "no_data_expected",
          checkedAt: result.finished_at,
        }),
      ),
    );
    const ending: RunEnding = Either.isLeft(outcome)
      ? { kind: "error", error: outcome.left, ...(deadLetterId ? { deadLetterId } : {}) }
      : gate
        ? { kind: "finished", counts: result.counts, check: gate }
        : { kind: "other" };
    yield* recordRunAnomalies(ctx, ending);
    yield* bestEffort(
      ctx,
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
  });
