/**
 * The columns an actor keeps, declared once: a Durable Object's own tables
 * (`actor-schema.ts`, `backfill-schema.ts`) and their libSQL copies for the in-process host
 * (`schema/host.ts`) spread them and add only their own keys.
 */
import { integer, text } from "drizzle-orm/sqlite-core";

/** A partition actor's current state (after its key: `id = 1`, or `pipeline + partition key`). */
export const partitionStateColumns = {
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
};

/** One run of a partition, after its `execution_id` key (and the host's partition columns). */
export const partitionRunColumns = {
  captureId: text("capture_id"),
  trigger: text("trigger").notNull(),
  attempt: integer("attempt").notNull(),
  status: text("status").notNull(),
  counts: text("counts"),
  error: text("error"),
  startedAt: text("started_at").notNull(),
  finishedAt: text("finished_at"),
};

/** A backfill's request and overall status, after its key (`id = 1`, or the backfill id). */
export const backfillColumns = {
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
};

/** What a backfill knows of one planned partition's run, after its ordinal and key. */
export const backfillPartitionColumns = {
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
};
