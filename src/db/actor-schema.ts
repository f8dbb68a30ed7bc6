/**
 * The private schema of a `PartitionActor` Durable Object (DO SQLite, sqlite-core).
 *
 * One actor owns one `pipeline + partition key`: `partition_state` has exactly one row
 * (`id = 1`), `partition_runs` keeps every run of that partition.
 */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The current manifest state of the actor's partition. */
export const partitionState = sqliteTable("partition_state", {
  id: integer("id").primaryKey(),
  pipeline: text("pipeline").notNull(),
  partitionKey: text("partition_key").notNull(),
  status: text("status").notNull(),
  stage: text("stage").notNull(),
  captureId: text("capture_id"),
  executionId: text("execution_id"),
  rowCount: integer("row_count"),
  counts: text("counts"),
  /** Attempts in the current episode (since the last trigger that was not a retry). */
  attempts: integer("attempts").notNull(),
  /** Alarm retries scheduled in the current episode. */
  retryCount: integer("retry_count").notNull().default(0),
  lastError: text("last_error"),
  startedAt: text("started_at"),
  finishedAt: text("finished_at"),
  nextRetryAt: text("next_retry_at"),
  /** The last run result as JSON, returned to cron ticks that find the partition done. */
  lastResult: text("last_result"),
  updatedAt: text("updated_at").notNull(),
});

/** One row per run of the partition, newest last. */
export const partitionRuns = sqliteTable("partition_runs", {
  executionId: text("execution_id").primaryKey(),
  captureId: text("capture_id"),
  trigger: text("trigger").notNull(),
  attempt: integer("attempt").notNull(),
  status: text("status").notNull(),
  counts: text("counts"),
  error: text("error"),
  startedAt: text("started_at").notNull(),
  finishedAt: text("finished_at"),
});
