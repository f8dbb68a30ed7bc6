/**
 * Runs one registered pipeline for one partition: capture id, manifest, retries, audit.
 *
 * Every entry point (CLI, Worker actor, tests) goes through `runPipeline`, so a run means
 * the same thing everywhere.
 */
import { Clock, Effect, Either } from "effect";
import { type AuditEventType, auditRun } from "../audit/audit-log";
import type { Db } from "../db/db";
import { storedOutputHash } from "../reconciliation/canonical";
import { requireDependenciesReady } from "./calc-dependencies";
import { recordDeadLetter } from "./dead-letters";
import { isRetryable, type PipelineError, UnknownPipeline } from "./errors";
import {
  BatchId,
  makeCaptureId,
  newExecutionId,
  type PartitionKey,
  type PipelineName,
} from "./ids";
import { type CaptureOutput, upsertManifest } from "./manifest";
import type { Pipeline, ReplayMode, RunContext } from "./pipeline";
import { markReadiness } from "./readiness";
import type { Registry } from "./registry";
import { emptyCounts, type RunResult, type RunTrigger } from "./run-result";

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

/**
 * Keeps a failed source request in `core_dead_letters`: permanent failures always, transient
 * ones when no retry follows. Returns the dead letter id, or undefined.
 */
const deadLetterFor = (
  ctx: RunContext,
  error: PipelineError,
  finalAttempt: boolean,
  at: string,
): Effect.Effect<string | undefined, never, Db> => {
  if (error._tag === "DatabaseError" || (error._tag === "TransientSourceError" && !finalAttempt)) {
    return Effect.succeed(undefined);
  }
  return recordDeadLetter({
    pipeline: ctx.pipeline,
    partitionKey: ctx.partitionKey,
    error,
    captureId: ctx.captureId,
    executionId: ctx.executionId,
    at,
  }).pipe(
    Effect.catchAll((e) =>
      Effect.logError("dead letter write failed", e).pipe(Effect.as(undefined)),
    ),
  );
};

/** The audit event that closes a run, by its final status. */
const FINAL_EVENT = {
  complete: "run_completed",
  no_data_expected: "no_data_expected",
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
  replay.stored(partition).pipe(
    Effect.map((rows): CaptureOutput | undefined => storedOutputHash(replay.key, rows)),
    Effect.catchAll((error) =>
      Effect.logWarning("capture output hash skipped", error).pipe(Effect.as(undefined)),
    ),
  );

const isoNow = Clock.currentTimeMillis.pipe(Effect.map((ms) => new Date(ms)));

/**
 * Runs the pipeline once (sources retry their own transient errors) and records the
 * capture in `core_manifest` and the audit log. Source and database failures end in a
 * `failed` result, never in a failed effect; only bad input fails the effect.
 */
export const runPipeline = (registry: Registry<Pipeline>, request: RunRequest) =>
  Effect.gen(function* () {
    const { pipeline, partitionKey } = yield* resolveRun(
      registry,
      request.pipeline,
      request.partition,
    );
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
    let result: RunResult = Either.isRight(outcome)
      ? { ...finished, status: outcome.right.status, counts: outcome.right.counts }
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
      ? yield* deadLetterFor(ctx, outcome.left, request.finalAttempt ?? true, finished.finished_at)
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
    yield* bestEffort(
      manifest(result, Either.isRight(outcome) ? outcome.right.details : undefined, output),
    );
    // A skipped calculation (failed quality gate) leaves its stage not ready.
    const skipped = Either.isRight(outcome) && outcome.right.details?.skipped === true;
    yield* bestEffort(
      markReadiness({
        domain: ctx.domain,
        stage: ctx.stage,
        partitionKey: ctx.partitionKey,
        isReady: (result.status === "complete" || result.status === "no_data_expected") && !skipped,
        checkedAt: result.finished_at,
      }),
    );
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
