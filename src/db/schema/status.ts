/**
 * Tables the status page reads besides the manifest (sqlite-core, libSQL), re-exported by
 * `index.ts` so drizzle-kit and the `Db` service see one schema.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Backfills and replays, mirrored by their coordinators (start and every slice) so the status
 * page lists them from one table; the coordinator's own storage stays the source of truth.
 */
export const coreOperations = sqliteTable(
  "core_operations",
  {
    operationId: text("operation_id").primaryKey(),
    /** `backfill` or `replay`. */
    kind: text("kind").notNull(),
    pipeline: text("pipeline").notNull(),
    rangeStart: text("range_start").notNull(),
    rangeEnd: text("range_end").notNull(),
    /** `running`, `complete` or `failed`. */
    status: text("status").notNull(),
    total: integer("total").notNull(),
    /** Partitions finished (any final status). */
    done: integer("done").notNull(),
    failed: integer("failed").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    finishedAt: text("finished_at"),
  },
  (t) => [index("core_operations_status_idx").on(t.status, t.updatedAt)],
);

/**
 * Partitions per pipeline (domain + stage) by the status of their latest capture, kept by
 * triggers on `core_manifest` (migration `partition_counts_triggers`), so a summary costs one
 * small read however many partitions there are.
 */
export const corePartitionCounts = sqliteTable(
  "core_partition_counts",
  {
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    status: text("status").notNull(),
    partitions: integer("partitions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.domain, t.stage, t.status] })],
);
