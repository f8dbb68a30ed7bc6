/**
 * Backfills: one pipeline over an inclusive date range, one run per partition.
 *
 * Planning is pure and deterministic: the pipeline's `partitionsForRange` lists the
 * partitions (market data: every calendar day, so weekends and holidays become
 * `no_data_expected` runs, recorded like any other), each key is canonicalised with
 * `parsePartition`, duplicates are dropped, order is kept. Same request ⇒ same plan.
 *
 * `executeBackfill` runs a plan in-process (the CLI) with bounded concurrency; the Worker
 * runs plans through the `BackfillCoordinator` Durable Object instead.
 */
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Ref from "effect/Ref";
import * as Schema from "effect/Schema";
import { type InvalidPartitionKey, UnknownPipeline } from "../model/errors";
import { compactUtcStamp, type PartitionKey, PipelineName } from "../model/ids";
import { emptyCounts, type RunCounts, type RunError, type RunResult } from "../model/run-result";
import type { Pipeline, PipelineServices } from "../pipeline/pipeline";
import type { Registry } from "../pipeline/registry";
import { runPipeline } from "../pipeline/runner";
import {
  BackfillNotSupported,
  type InvalidBackfillParams,
  type InvalidBackfillRange,
} from "./errors";
import {
  type BackfillParams,
  type DateRange,
  MAX_BACKFILL_DAYS,
  refuseFutureRange,
  validateRange,
} from "./range";

export {
  type DateRange,
  datesInRange,
  MAX_BACKFILL_DAYS,
  refuseFutureRange,
  validateRange,
} from "./range";

/** Partition runs in flight at once unless asked otherwise. */
export const DEFAULT_BACKFILL_CONCURRENCY = 4;
/** Upper bound of `concurrency`: the source and the database share the load. */
export const MAX_BACKFILL_CONCURRENCY = 16;

/** What an operator asks for. */
export interface BackfillRequest {
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly params?: BackfillParams | undefined;
}

/** The partitions to run, in the order they run. */
export interface BackfillPlan extends DateRange {
  readonly pipeline: PipelineName;
  /** Keys sorted, so equal requests have equal plans whatever the key order. */
  readonly params: BackfillParams;
  readonly partitions: ReadonlyArray<PartitionKey>;
}

/** Everything planning can fail with. */
export type BackfillPlanError =
  | UnknownPipeline
  | BackfillNotSupported
  | InvalidBackfillRange
  | InvalidBackfillParams
  | InvalidPartitionKey;

/**
 * Plans a backfill: the ordered, de-duplicated, canonical partitions of the range. A range
 * ending after today (New York) is refused.
 */
export const planBackfill = (
  registry: Registry<Pipeline>,
  request: BackfillRequest,
  maxDays = MAX_BACKFILL_DAYS,
): Effect.Effect<BackfillPlan, BackfillPlanError> =>
  Effect.gen(function* () {
    const pipeline = registry.get(request.pipeline);
    if (!pipeline) {
      return yield* new UnknownPipeline({
        pipeline: request.pipeline,
        message: `unknown pipeline "${request.pipeline}"; registered: ${registry.names().join(", ")}`,
      });
    }
    if (!pipeline.partitionsForRange) {
      return yield* new BackfillNotSupported({
        pipeline: pipeline.name,
        message: `${pipeline.name} cannot enumerate the partitions of a date range`,
      });
    }
    const range = yield* validateRange(request.start, request.end, maxDays);
    yield* refuseFutureRange(range);
    const params = Object.fromEntries(
      Object.entries(request.params ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const listed = yield* pipeline.partitionsForRange(range, params);
    const seen = new Set<string>();
    const partitions: Array<PartitionKey> = [];
    for (const key of listed) {
      const canonical = yield* pipeline.parsePartition(key);
      if (!seen.has(canonical)) {
        seen.add(canonical);
        partitions.push(canonical);
      }
    }
    return { pipeline: PipelineName.make(pipeline.name), ...range, params, partitions };
  }).pipe(Effect.withSpan("Backfill.plan"));

/** A backfill id: `backfill.<UTC stamp>.<12 hex>`; it is also the batch id of its runs. */
export const BackfillId = Schema.String.pipe(
  Schema.pattern(/^backfill\.\d{8}T\d{6}Z\.[0-9a-f]{12}$/),
  Schema.brand("BackfillId"),
);
export type BackfillId = typeof BackfillId.Type;

/** A new backfill id, sortable by creation time. */
export const newBackfillId = (at: Date): BackfillId =>
  BackfillId.make(
    `backfill.${compactUtcStamp(at)}.${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`,
  );

/** Whether a string is a well-formed backfill id. */
export const isBackfillId = Schema.is(BackfillId);

/** A partition that ended in failure, and why. */
export interface BackfillFailure {
  readonly partition: string;
  readonly error: RunError;
}

/** How one partition of an in-process backfill ended. */
export interface BackfillPartitionResult {
  readonly partition: string;
  readonly status: "complete" | "no_data_expected" | "skipped" | "failed";
  readonly capture_id: string | null;
  readonly execution_id: string | null;
  readonly counts: RunCounts;
  readonly error?: RunError;
}

/** Totals of a finished backfill. */
export interface BackfillSummary {
  readonly status: "complete" | "failed";
  readonly total: number;
  readonly complete: number;
  readonly no_data_expected: number;
  /** Skipped by their pipeline's own gate (e.g. a history window). */
  readonly skipped: number;
  readonly failed: number;
  /** In plan order. */
  readonly failures: ReadonlyArray<BackfillFailure>;
}

/** Counts outcomes; the backfill `failed` when any partition did. */
export const summarize = (results: ReadonlyArray<BackfillPartitionResult>): BackfillSummary => {
  const count = (status: BackfillPartitionResult["status"]) =>
    results.filter((r) => r.status === status).length;
  const failures = results.flatMap((r) =>
    r.status === "failed" && r.error ? [{ partition: r.partition, error: r.error }] : [],
  );
  return {
    status: failures.length > 0 ? "failed" : "complete",
    total: results.length,
    complete: count("complete"),
    no_data_expected: count("no_data_expected"),
    skipped: count("skipped"),
    failed: count("failed"),
    failures,
  };
};

/** The result of `executeBackfill`: the request, its totals, and every partition in order. */
export interface BackfillReport extends BackfillSummary {
  readonly backfill_id: string;
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly params: BackfillParams;
  readonly concurrency: number;
  readonly partitions: ReadonlyArray<BackfillPartitionResult>;
}

/** Options of `executeBackfill`. */
export interface ExecuteOptions {
  readonly backfillId: string;
  /** Partition runs in flight at once. Default {@link DEFAULT_BACKFILL_CONCURRENCY}. */
  readonly concurrency?: number;
  /** Called as each partition ends, with how many have ended so far (progress bars). */
  readonly onSettled?: (result: BackfillPartitionResult, settled: number) => Effect.Effect<void>;
}

const fromRunResult = (run: RunResult): BackfillPartitionResult => {
  const ok =
    run.status === "complete" || run.status === "no_data_expected" || run.status === "skipped";
  return {
    partition: run.partition,
    status: ok ? run.status : "failed",
    capture_id: run.capture_id || null,
    execution_id: run.execution_id || null,
    counts: run.counts,
    ...(ok
      ? {}
      : { error: run.error ?? { tag: "Unfinished", message: run.status, retryable: false } }),
  };
};

const describeCause = (cause: Cause.Cause<unknown>): RunError => {
  const squashed = Cause.squash(cause);
  const tagged = squashed as { readonly _tag?: unknown; readonly message?: unknown };
  return {
    tag: typeof tagged._tag === "string" ? tagged._tag : "Defect",
    message: typeof tagged.message === "string" ? tagged.message : String(squashed),
    retryable: false,
  };
};

/**
 * Runs every partition of the plan through the runner, at most `concurrency` at a time. A
 * failed partition is recorded and the others go on; results come back in plan order.
 */
export const executeBackfill = (
  registry: Registry<Pipeline>,
  plan: BackfillPlan,
  options: ExecuteOptions,
): Effect.Effect<BackfillReport, never, PipelineServices> =>
  Effect.gen(function* () {
    const concurrency = options.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
    const settled = yield* Ref.make(0);
    const results = yield* Effect.forEach(
      plan.partitions,
      (partition) =>
        runPipeline(registry, {
          pipeline: plan.pipeline,
          partition,
          trigger: "backfill",
          batchId: options.backfillId,
        }).pipe(
          Effect.map(fromRunResult),
          // Even a defect in one partition must not stop the others.
          Effect.catchAllCause((cause) =>
            Effect.succeed<BackfillPartitionResult>({
              partition,
              status: "failed",
              capture_id: null,
              execution_id: null,
              counts: emptyCounts,
              error: describeCause(cause),
            }),
          ),
          Effect.tap((result) =>
            Ref.updateAndGet(settled, (n) => n + 1).pipe(
              Effect.flatMap((n) => options.onSettled?.(result, n) ?? Effect.void),
            ),
          ),
        ),
      { concurrency },
    );
    return {
      backfill_id: options.backfillId,
      pipeline: plan.pipeline,
      start: plan.start,
      end: plan.end,
      params: plan.params,
      concurrency,
      ...summarize(results),
      partitions: results,
    };
  }).pipe(Effect.withSpan("Backfill.execute"));
