/**
 * The capture-id contract's columns.
 */
import { text } from "drizzle-orm/sqlite-core";

/** Columns every pipeline output row carries (the capture-id contract). */
export const captureColumns = {
  captureId: text("capture_id").notNull(),
  capturedAt: text("captured_at").notNull(),
  executionId: text("execution_id").notNull(),
  batchId: text("batch_id").notNull(),
};
