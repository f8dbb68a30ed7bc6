/**
 * The private schema of a `BackfillCoordinator` Durable Object (DO SQLite, sqlite-core).
 *
 * One coordinator owns one backfill: `backfill` has exactly one row (`id = 1`) with the
 * request and overall status, `backfill_partitions` one row per planned partition, in plan
 * order (`ordinal`), with what the coordinator knows of its run.
 */
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { backfillColumns, backfillPartitionColumns } from "./actor-columns";

/** The backfill request and its overall status. */
export const backfill = sqliteTable("backfill", {
  id: integer("id").primaryKey(),
  backfillId: text("backfill_id").notNull(),
  ...backfillColumns,
});

/** One planned partition and the coordinator's view of its run. */
export const backfillPartitions = sqliteTable(
  "backfill_partitions",
  {
    /** Position in the plan: partitions are dispatched in this order. */
    ordinal: integer("ordinal").primaryKey(),
    partitionKey: text("partition_key").notNull().unique(),
    ...backfillPartitionColumns,
  },
  (t) => [index("backfill_partitions_status").on(t.status, t.ordinal)],
);
