/**
 * A backfill's own storage: the plan and per-partition status. The slice sees it as a
 * `BackfillStore`; on Workers it is the coordinator's SQLite (`db/backfill-schema.ts`,
 * synchronous drizzle: each call one local statement, so a slice records every partition the
 * moment its run ends), on Deno the host's libSQL tables (`host/libsql-backfill-store.ts`).
 */
import { and, asc, count, eq, lte, min } from "drizzle-orm";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import * as Effect from "effect/Effect";
import { backfill, backfillPartitions } from "../../db/backfill-schema";
import type { RunError } from "../model/run-result";
import type { BackfillFailure, BackfillPlan } from "./backfill";
import type { BackfillParams } from "./range";

/** The coordinator's database (DO SQLite through drizzle). */
export type BackfillDatabase = BaseSQLiteDatabase<"sync", unknown, Record<string, unknown>>;

/** Where one partition of a backfill stands. */
export type BackfillPartitionStatus =
  | "pending"
  | "running"
  | "retrying"
  | "complete"
  | "no_data_expected"
  | "skipped"
  | "failed";

/** `running` until every partition is final; then `failed` if any partition failed. */
export type BackfillStatus = "running" | "complete" | "failed";

/** What `GET /backfills/:id` shows. */
export interface BackfillProgress {
  readonly backfill_id: string;
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly params: BackfillParams;
  readonly status: BackfillStatus;
  readonly concurrency: number;
  readonly total: number;
  readonly pending: number;
  readonly running: number;
  /** Waiting for the partition actor's own retry of a transient failure. */
  readonly retrying: number;
  readonly complete: number;
  readonly no_data_expected: number;
  /** Skipped by their pipeline's own gate (e.g. a history window): final, not ready. */
  readonly skipped: number;
  readonly failed: number;
  /** In plan order. */
  readonly failures: ReadonlyArray<BackfillFailure>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly finished_at: string | null;
}

/** The `backfill` row, without the storage's own key. */
export type BackfillHeader = Omit<typeof backfill.$inferSelect, "id">;
/** A `backfill_partitions` row. */
export type BackfillPartitionRow = typeof backfillPartitions.$inferSelect;
/** Columns of a partition row a slice may change. */
export type PartitionPatch = Partial<Omit<BackfillPartitionRow, "ordinal" | "partitionKey">>;

/** A failed partition and why, in plan order. */
export type BackfillFailureRow = { readonly partition: string; readonly error: string | null };

/**
 * What a slice reads and writes. Storage failures are defects: the slice logs them and the
 * watchdog alarm runs it again.
 */
export interface BackfillStore {
  readonly header: Effect.Effect<BackfillHeader | undefined>;
  /** Partitions in a status, in plan order. */
  readonly partitionsIn: (
    status: BackfillPartitionStatus,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<BackfillPartitionRow>>;
  /** `retrying` partitions whose next check is due at `now`, in plan order. */
  readonly dueRetrying: (
    now: string,
    limit: number,
  ) => Effect.Effect<ReadonlyArray<BackfillPartitionRow>>;
  /** The earliest check time of the `retrying` partitions, if any. */
  readonly nextCheckAt: Effect.Effect<string | null>;
  readonly updatePartition: (ordinal: number, patch: PartitionPatch) => Effect.Effect<void>;
  readonly statusCounts: Effect.Effect<Record<BackfillPartitionStatus, number>>;
  /** Marks the header updated (and finished, with its final status). */
  readonly touch: (
    now: string,
    finished?: Exclude<BackfillStatus, "running">,
  ) => Effect.Effect<void>;
  readonly failures: Effect.Effect<ReadonlyArray<BackfillFailureRow>>;
}

// DO SQLite binds at most 100 parameters per statement; a partition row binds up to 10.
const INSERT_CHUNK = 8;

/** The backfill's header row, if the backfill exists. */
export const readHeader = (db: BackfillDatabase): BackfillHeader | undefined => {
  const row = db.select().from(backfill).where(eq(backfill.id, 1)).get();
  if (!row) return undefined;
  const { id: _, ...header } = row;
  return header;
};

/** What `createBackfill` stores. */
export interface NewBackfill {
  readonly backfillId: string;
  readonly plan: BackfillPlan;
  readonly concurrency: number;
  readonly sliceSize: number;
  readonly now: string;
}

/** The header row of a new backfill: `running`, or already `complete` when it plans nothing. */
export const newBackfillHeader = (input: NewBackfill): BackfillHeader => {
  const { plan } = input;
  const empty = plan.partitions.length === 0;
  return {
    backfillId: input.backfillId,
    pipeline: plan.pipeline,
    start: plan.start,
    end: plan.end,
    params: JSON.stringify(plan.params),
    concurrency: input.concurrency,
    sliceSize: input.sliceSize,
    total: plan.partitions.length,
    status: empty ? "complete" : "running",
    createdAt: input.now,
    updatedAt: input.now,
    finishedAt: empty ? input.now : null,
  };
};

/** The header columns `touch` sets: updated now, and finished with its final status. */
export const touchedHeader = (now: string, finished?: Exclude<BackfillStatus, "running">) =>
  finished ? { status: finished, updatedAt: now, finishedAt: now } : { updatedAt: now };

/** Stores the plan, every partition `pending`, in one transaction. */
export const createBackfill = (db: BackfillDatabase, input: NewBackfill): void => {
  const { plan } = input;
  db.transaction((tx) => {
    tx.insert(backfill)
      .values({ id: 1, ...newBackfillHeader(input) })
      .run();
    for (let i = 0; i < plan.partitions.length; i += INSERT_CHUNK) {
      const rows = plan.partitions
        .slice(i, i + INSERT_CHUNK)
        .map((partitionKey, j) => ({ ordinal: i + j, partitionKey }));
      tx.insert(backfillPartitions).values(rows).run();
    }
  });
};

/** Partitions in a status, in plan order. */
export const partitionsIn = (
  db: BackfillDatabase,
  status: BackfillPartitionStatus,
  limit: number,
): ReadonlyArray<BackfillPartitionRow> =>
  db
    .select()
    .from(backfillPartitions)
    .where(eq(backfillPartitions.status, status))
    .orderBy(asc(backfillPartitions.ordinal))
    .limit(limit)
    .all();

/** `retrying` partitions whose next check is due at `now`, in plan order. */
export const dueRetrying = (
  db: BackfillDatabase,
  now: string,
  limit: number,
): ReadonlyArray<BackfillPartitionRow> =>
  db
    .select()
    .from(backfillPartitions)
    .where(and(eq(backfillPartitions.status, "retrying"), lte(backfillPartitions.checkAt, now)))
    .orderBy(asc(backfillPartitions.ordinal))
    .limit(limit)
    .all();

/** The earliest check time of the `retrying` partitions, if any. */
export const nextCheckAt = (db: BackfillDatabase): string | null =>
  db
    .select({ at: min(backfillPartitions.checkAt) })
    .from(backfillPartitions)
    .where(eq(backfillPartitions.status, "retrying"))
    .get()?.at ?? null;

/** Updates one partition's row. */
export const updatePartition = (db: BackfillDatabase, ordinal: number, patch: PartitionPatch) => {
  db.update(backfillPartitions).set(patch).where(eq(backfillPartitions.ordinal, ordinal)).run();
};

/** Per-status counts from `(status, n)` rows; statuses without rows count 0. */
export const countsByStatus = (
  rows: ReadonlyArray<{ readonly status: string; readonly n: number }>,
): Record<BackfillPartitionStatus, number> => {
  const counts: Record<BackfillPartitionStatus, number> = {
    pending: 0,
    running: 0,
    retrying: 0,
    complete: 0,
    no_data_expected: 0,
    skipped: 0,
    failed: 0,
  };
  for (const row of rows) {
    if (row.status in counts) counts[row.status as BackfillPartitionStatus] = row.n;
  }
  return counts;
};

/** Partitions per status. */
export const statusCounts = (db: BackfillDatabase): Record<BackfillPartitionStatus, number> =>
  countsByStatus(
    db
      .select({ status: backfillPartitions.status, n: count() })
      .from(backfillPartitions)
      .groupBy(backfillPartitions.status)
      .all(),
  );

/** Marks the header updated (and finished, with its final status). */
export const touchBackfill = (
  db: BackfillDatabase,
  now: string,
  finished?: Exclude<BackfillStatus, "running">,
) => {
  db.update(backfill).set(touchedHeader(now, finished)).where(eq(backfill.id, 1)).run();
};

const parseError = (text: string | null): RunError =>
  text === null
    ? { tag: "Unknown", message: "no error recorded", retryable: false }
    : (JSON.parse(text) as RunError);

/** The backfill's progress, or null when it does not exist. */
export const readProgress = (store: BackfillStore): Effect.Effect<BackfillProgress | null> =>
  Effect.gen(function* () {
    const header = yield* store.header;
    if (!header) return null;
    const [counts, failures] = yield* Effect.all([store.statusCounts, store.failures]);
    return {
      backfill_id: header.backfillId,
      pipeline: header.pipeline,
      start: header.start,
      end: header.end,
      params: JSON.parse(header.params) as BackfillParams,
      status: header.status as BackfillStatus,
      concurrency: header.concurrency,
      total: header.total,
      ...counts,
      failures: failures.map((f) => ({ partition: f.partition, error: parseError(f.error) })),
      created_at: header.createdAt,
      updated_at: header.updatedAt,
      finished_at: header.finishedAt,
    };
  });

/** The coordinator's SQLite as a `BackfillStore`. */
export const sqliteBackfillStore = (db: BackfillDatabase): BackfillStore => ({
  header: Effect.sync(() => readHeader(db)),
  partitionsIn: (status, limit) => Effect.sync(() => partitionsIn(db, status, limit)),
  dueRetrying: (now, limit) => Effect.sync(() => dueRetrying(db, now, limit)),
  nextCheckAt: Effect.sync(() => nextCheckAt(db)),
  updatePartition: (ordinal, patch) => Effect.sync(() => updatePartition(db, ordinal, patch)),
  statusCounts: Effect.sync(() => statusCounts(db)),
  touch: (now, finished) => Effect.sync(() => touchBackfill(db, now, finished)),
  failures: Effect.sync(() =>
    db
      .select({ partition: backfillPartitions.partitionKey, error: backfillPartitions.error })
      .from(backfillPartitions)
      .where(eq(backfillPartitions.status, "failed"))
      .orderBy(asc(backfillPartitions.ordinal))
      .all(),
  ),
});
