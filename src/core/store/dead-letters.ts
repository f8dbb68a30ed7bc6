/**
 * `core_dead_letters`: failed source requests kept whole (request, last error, attempts,
 * payload) so an operator can look at them and retry them on demand.
 *
 * One open dead letter per pipeline, partition and request: the same failure again updates
 * it instead of piling up rows.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreDeadLetters } from "../../db/schema/core";
import { sha256Hex } from "../model/digest";
import type { PermanentSourceError, PipelineError, TransientSourceError } from "../model/errors";
import type { RunContext } from "../model/run-context";
import type { RunResult } from "../model/run-result";
import type { DeadLetterRow } from "./memory";

export interface DeadLetterInput {
  readonly pipeline: string;
  readonly partitionKey: string;
  readonly error: PermanentSourceError | TransientSourceError;
  readonly captureId: string;
  readonly executionId: string;
  readonly at: string;
}

/** A dead letter as the API and CLI show it. */
export interface DeadLetter {
  readonly dead_letter_id: string;
  readonly pipeline: string;
  readonly partition_key: string;
  readonly source: string;
  readonly request: { readonly method: string; readonly url: string };
  readonly error_tag: string;
  readonly error_message: string;
  readonly attempts: number;
  readonly payload: string | null;
  readonly status: string;
  readonly capture_id: string | null;
  readonly execution_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  readonly retry_execution_id: string | null;
}

/** The id of the dead letter of a request: one per pipeline, partition, source and URL. */
export const deadLetterId = (input: DeadLetterInput) =>
  sha256Hex(
    [input.pipeline, input.partitionKey, input.error.source, input.error.url].join("\u0000"),
  ).pipe(Effect.map((hash) => `dl_${hash.slice(0, 24)}`));

/** The stored row of a new dead letter. */
export const toDeadLetterRow = (id: string, input: DeadLetterInput): DeadLetterRow => {
  const { error } = input;
  return {
    deadLetterId: id,
    pipeline: input.pipeline,
    partitionKey: input.partitionKey,
    source: error.source,
    request: JSON.stringify({ method: "GET", url: error.url }),
    errorTag: error._tag,
    errorMessage: error.message,
    attempts: error._tag === "TransientSourceError" ? (error.attempts ?? 1) : 1,
    payload: error._tag === "PermanentSourceError" ? (error.payload ?? null) : null,
    status: "open",
    captureId: input.captureId,
    executionId: input.executionId,
    createdAt: input.at,
    updatedAt: input.at,
    retryExecutionId: null,
  };
};

/** What the same failure again refreshes in an existing dead letter (which opens again). */
export const refreshedColumns = (row: DeadLetterRow) => ({
  errorTag: row.errorTag,
  errorMessage: row.errorMessage,
  attempts: row.attempts,
  payload: row.payload,
  status: "open",
  captureId: row.captureId,
  executionId: row.executionId,
  updatedAt: row.updatedAt,
});

export const toDeadLetterView = (r: DeadLetterRow): DeadLetter => ({
  dead_letter_id: r.deadLetterId,
  pipeline: r.pipeline,
  partition_key: r.partitionKey,
  source: r.source,
  request: JSON.parse(r.request) as DeadLetter["request"],
  error_tag: r.errorTag,
  error_message: r.errorMessage,
  attempts: r.attempts,
  payload: r.payload,
  status: r.status,
  capture_id: r.captureId,
  execution_id: r.executionId,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  retry_execution_id: r.retryExecutionId,
});

/** Filters of a listing: by status; default limit 100. */
export interface DeadLetterFilter {
  readonly status?: string;
  readonly limit?: number;
}

/** Failed source requests in `core_dead_letters`. */
export class DeadLetters extends Effect.Service<DeadLetters>()("dataspine/DeadLetters", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** Records (or refreshes) the dead letter of a failed request; returns its id. */
      record: (input: DeadLetterInput) =>
        Effect.gen(function* () {
          const id = yield* deadLetterId(input);
          const row = toDeadLetterRow(id, input);
          yield* run("deadLetters.record", (d) =>
            d
              .insert(coreDeadLetters)
              .values(row)
              .onConflictDoUpdate({
                target: coreDeadLetters.deadLetterId,
                set: refreshedColumns(row),
              }),
          );
          return id;
        }),
      /** Dead letters, newest update first; `status` filters (`open`, `retried`). */
      list: (filter: DeadLetterFilter) =>
        run("deadLetters.list", (d) =>
          d
            .select()
            .from(coreDeadLetters)
            .where(filter.status ? eq(coreDeadLetters.status, filter.status) : undefined)
            .orderBy(desc(coreDeadLetters.updatedAt))
            .limit(filter.limit ?? 100),
        ).pipe(Effect.map((rows) => rows.map(toDeadLetterView))),
      /** One dead letter, if it exists. */
      get: (id: string) =>
        run("deadLetters.get", (d) =>
          d.select().from(coreDeadLetters).where(eq(coreDeadLetters.deadLetterId, id)).limit(1),
        ).pipe(Effect.map((rows) => (rows[0] ? toDeadLetterView(rows[0]) : undefined))),
      /** Marks an open dead letter as retried by a successful run (others stay as they are). */
      markRetried: (id: string, executionId: string, at: string) =>
        run("deadLetters.markRetried", (d) =>
          d
            .update(coreDeadLetters)
            .set({ status: "retried", retryExecutionId: executionId, updatedAt: at })
            .where(and(eq(coreDeadLetters.deadLetterId, id), eq(coreDeadLetters.status, "open"))),
        ).pipe(Effect.asVoid),
      /** Dead letters of one status, counted up to `cap`. */
      count: (status: string, cap: number) =>
        run("deadLetters.count", (d) =>
          d.get<{ n: number }>(
            sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${coreDeadLetters} WHERE ${coreDeadLetters.status} = ${status} LIMIT ${cap})`,
          ),
        ).pipe(Effect.map((row) => Number(row?.n ?? 0))),
    };
  }),
  accessors: true,
}) {}

/** Records (or refreshes) the dead letter of a failed request; returns its id. */
export const recordDeadLetter = DeadLetters.record;

/** Dead letters, newest first; `status` filters (`open`, `retried`). Default limit 100. */
export const listDeadLetters = (filter: DeadLetterFilter = {}) => DeadLetters.list(filter);

/** One dead letter, if it exists. */
export const getDeadLetter = DeadLetters.get;

/** Marks an open dead letter as retried by a successful run. */
export const markDeadLetterRetried = DeadLetters.markRetried;

/** The run that retries a dead letter: its partition again, triggered as `retry`. */
export interface DeadLetterRetryRun {
  readonly pipeline: string;
  readonly partition: string;
  readonly trigger: "retry";
  readonly batchId: string;
}

/**
 * Retries a dead letter: re-runs its partition with `runPartition` (through the actor in the
 * Worker, the runner in the CLI) and marks it retried when the run succeeds. Returns the
 * dead letter as it is afterwards and the run, or undefined when there is no such letter.
 */
export const retryDeadLetter = <E, R>(
  id: string,
  runPartition: (run: DeadLetterRetryRun) => Effect.Effect<RunResult, E, R>,
) =>
  Effect.gen(function* () {
    const found = yield* getDeadLetter(id);
    if (!found) return undefined;
    const run = yield* runPartition({
      pipeline: found.pipeline,
      partition: found.partition_key,
      trigger: "retry",
      batchId: `retry.${found.dead_letter_id}`,
    });
    if (run.status === "complete" || run.status === "no_data_expected") {
      yield* markDeadLetterRetried(id, run.execution_id, run.finished_at);
    }
    const after = yield* getDeadLetter(id);
    return { dead_letter: after, run };
  });

/** Dead letters of one status, counted up to `cap` (default 1,000). */
export const countDeadLetters = (status: string, cap = 1000) => DeadLetters.count(status, cap);

/**
 * Keeps a failed source request of a run in `core_dead_letters`: permanent failures always,
 * transient ones when no retry follows. Returns the dead letter id, or undefined.
 */
export const deadLetterOnFailure = (
  ctx: RunContext,
  error: PipelineError,
  finalAttempt: boolean,
  at: string,
): Effect.Effect<string | undefined, never, DeadLetters> => {
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
