/**
 * The private schema of a `BackfillCoordinator` Durable Object (DO SQLite, sqlite-core).
 *
 * One coordinator owns one backfill: `backfill` has exactly one row (`id = 1`) with the
 * request and overall status, `backfill_partitions` one row per planned partition, in plan
 * order (`ordinal`), with what the coordinator knows of its run.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The backfill request and its overall status. */
export const backfill = sqliteTable("backfill", {
  id: integer("id").primaryKey(),
  backfillId: text("backfill_id").notNull(),
  pipeline: text("pipeline").notNull(),
  start: text("start").notNull(),
  end: text("end").notNull(),
  /** Backfill parameters as a JSON object of strings. */
  params: text("params").notNull(),
  /** Partition runs in flight at once. */
  concurrency: integer("concurrency").notNull(),
  /** Partitions dispatched per alarm invocation. */
  sliceSize: integer("slice_size").notNull(),
  total: integer("total").notNull(),
  /** `running` until every partition is final, then `complete` or `failed`. */
  status: text("status").notNull(),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  finishedAt: text("finished_at"),
});

/** One planned partition and the coordinator's view of its run. */
export const backfillPartitions = sqliteTable(
  "backfill_partitions",
  {
    /** Position in the plan: partitions are dispatched in this order. */
    ordinal: integer("ordinal").primaryKey(),
    partitionKey: text("partition_key").notNull().unique(),
    /** pending | running | retrying | complete | no_data_expected | failed */
    status: text("status").notNull().default("pending"),
    /** Times the coordinator handed the partition to its actor. */
    dispatches: integer("dispatches").notNull().default(0),
    captureId: text("capture_id"),
    executionId: text("execution_id"),
    /** The run error as JSON `{tag, message, retryable}`, when it failed. */
    error: text("error"),
    /** When the current dispatch began: an actor run that started earlier is not ours. */
    dispatchedAt: text("dispatched_at"),
    /** `retrying`: when to ask the actor again. */
    checkAt: text("check_at"),
    finishedAt: text("finished_at"),
  },
  (t) => [index("backfill_partitions_status").on(t.status, t.ordinal)],
);
