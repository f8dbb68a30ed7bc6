/**
 * `core_dead_letters`: failed source requests kept whole (request, last error, attempts,
 * payload) so an operator can look at them and retry them on demand.
 *
 * One open dead letter per pipeline, partition and request: the same failure again updates
 * it instead of piling up rows.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { type Db, dbTry } from "../../db/db";
import { coreDeadLetters } from "../../db/schema/index";
import { sha256Hex } from "../model/digest";
import type { PermanentSourceError, PipelineError, TransientSourceError } from "../model/errors";
import type { RunContext } from "../model/run-context";
import type { RunResult } from "../model/run-result";

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

/** Records (or refreshes) the dead letter of a failed request; returns its id. */
export const recordDeadLetter = (input: DeadLetterInput) =>
  Effect.gen(function* () {
    const { error } = input;
    const hash = yield* sha256Hex(
      [input.pipeline, input.partitionKey, error.source, error.url].join("\u0000"),
    );
    const id = `dl_${hash.slice(0, 24)}`;
    const row = {
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
    };
    yield* dbTry("deadLetters.record", (db) =>
      db
        .insert(coreDeadLetters)
        .values(row)
        .onConflictDoUpdate({
          target: coreDeadLetters.deadLetterId,
          set: {
            errorTag: row.errorTag,
            errorMessage: row.errorMessage,
            attempts: row.attempts,
            payload: row.payload,
            status: "open",
            captureId: row.captureId,
            executionId: row.executionId,
            updatedAt: row.updatedAt,
          },
        }),
    );
    return id;
  });

const toView = (r: typeof coreDeadLetters.$inferSelect): DeadLetter => ({
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

/** Dead letters, newest first; `status` filters (`open`, `retried`). Default limit 100. */
export const listDeadLetters = (
  filter: { readonly status?: string; readonly limit?: number } = {},
) =>
  dbTry("deadLetters.list", (db) =>
    db
      .select()
      .from(coreDeadLetters)
      .where(filter.status ? eq(coreDeadLetters.status, filter.status) : undefined)
      .orderBy(desc(coreDeadLetters.updatedAt))
      .limit(filter.limit ?? 100),
  ).pipe(Effect.map((rows) => rows.map(toView)));

/** One dead letter, if it exists. */
export const getDeadLetter = (id: string) =>
  dbTry("deadLetters.get", (db) =>
    db.select().from(coreDeadLetters).where(eq(coreDeadLetters.deadLetterId, id)).limit(1),
  ).pipe(Effect.map((rows) => (rows[0] ? toView(rows[0]) : undefined)));

/** Marks an open dead letter as retried by a successful run. */
export const markDeadLetterRetried = (id: string, executionId: string, at: string) =>
  dbTry("deadLetters.markRetried", (db) =>
    db
      .update(coreDeadLetters)
      .set({ status: "retried", retryExecutionId: executionId, updatedAt: at })
      .where(and(eq(coreDeadLetters.deadLetterId, id), eq(coreDeadLetters.status, "open"))),
  ).pipe(Effect.asVoid);

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
export const countDeadLetters = (status: string, cap = 1000) =>
  dbTry("deadLetters.count", (db) =>
    db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${coreDeadLetters} WHERE ${coreDeadLetters.status} = ${status} LIMIT ${cap})`,
    ),
  ).pipe(Effect.map((row) => Number(row?.n ?? 0)));

/**
 * Keeps a failed source request of a run in `core_dead_letters`: permanent failures always,
 * transient ones when no retry follows. Returns the dead letter id, or undefined.
 */
export const deadLetterOnFailure = (
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
