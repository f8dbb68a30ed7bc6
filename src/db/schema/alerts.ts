/**
 * The alert outbox table (sqlite-core, libSQL), re-exported by `index.ts` so drizzle-kit and
 * the `Db` service see one schema.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The alert outbox: one row per anomaly and sink (`webhook`, `log`, `file:<path>`), created
 * for open anomalies at or above the sink's minimum severity (`src/alerts/`). `status` is
 * `pending` (never tried), `retrying` (failed; tried again at `next_attempt_at`), `delivered`
 * or `failed` (gave up). A claimed row's `next_attempt_at` is its lease.
 */
export const coreAlertDeliveries = sqliteTable(
  "core_alert_deliveries",
  {
    anomalyId: text("anomaly_id").notNull(),
    sink: text("sink").notNull(),
    /** 1, then +1 each time the anomaly re-opens after a pass saw it resolved. */
    episode: integer("episode").notNull(),
    status: text("status").notNull(),
    attempts: integer("attempts").notNull(),
    nextAttemptAt: text("next_attempt_at"),
    lastError: text("last_error"),
    deliveredAt: text("delivered_at"),
    /** The anomaly's `resolved_at` when a pass last saw it resolved; null while it is open. */
    resolvedSeenAt: text("resolved_seen_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.anomalyId, t.sink] }),
    index("core_alert_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("core_alert_deliveries_resolved_idx").on(t.resolvedSeenAt),
    index("core_alert_deliveries_updated_idx").on(t.updatedAt),
  ],
);
