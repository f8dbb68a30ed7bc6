/**
 * The private schema of a `PartitionActor` Durable Object (DO SQLite, sqlite-core).
 *
 * One actor owns one `pipeline + partition key`: `partition_state` has exactly one row
 * (`id = 1`), `partition_runs` keeps every run of that partition.
 */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { partitionRunColumns, partitionStateColumns } from "./actor-columns";

/** The current manifest state of the actor's partition. */
export const partitionState = sqliteTable("partition_state", {
  id: integer("id").primaryKey(),
  ...partitionStateColumns,
});

/** One row per run of the partition, newest last. */
export const partitionRuns = sqliteTable("partition_runs", {
  executionId: text("execution_id").primaryKey(),
  ...partitionRunColumns,
});
