/**
 * `core_series_points`: per-period aggregates of canonical tables that detectors read as
 * history where the table itself cannot answer cheaply (a client's trade count per session:
 * `trades` has no index by client and time, and a 1 GiB file must not be recounted).
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One value of one series for one period; a later capture of the period replaces it. */
export const coreSeriesPoints = sqliteTable(
  "core_series_points",
  {
    /** The canonical table summarised, e.g. `trades`. */
    target: text("target").notNull(),
    /** The series within it, e.g. a client id. */
    series: text("series").notNull(),
    /** The period, as sortable text: a trading date `YYYY-MM-DD`. */
    period: text("period").notNull(),
    value: integer("value").notNull(),
    captureId: text("capture_id").notNull(),
    capturedAt: text("captured_at").notNull(),
    executionId: text("execution_id").notNull(),
    batchId: text("batch_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.series, t.period] })],
);
