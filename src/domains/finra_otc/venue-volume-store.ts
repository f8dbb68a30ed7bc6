/**
 * Writes weekly venue volume to `finra_otc_transparency_venue_volume`, idempotently: the key
 * (week_ending, tier, symbol, mpid) makes a re-ingest an update, never a duplicate.
 */
import type { RunContext } from "../../core/model/run-context";
import { type BulkUpsertSpec, bulkUpsert } from "../../db/bulk-upsert";
import type { FinraVenueVolume } from "./schema";

const VENUE_VOLUME: BulkUpsertSpec = {
  table: "finra_otc_transparency_venue_volume",
  columns: [
    "week_ending",
    "tier",
    "symbol",
    "issue_name",
    "mpid",
    "total_weekly_share_quantity",
    "total_weekly_trade_count",
    "last_update_date",
    "source",
    "capture_id",
    "captured_at",
    "execution_id",
    "batch_id",
  ],
  key: ["week_ending", "tier", "symbol", "mpid"],
};

/** Upserts venue-volume rows; returns the rows inserted or updated. */
export const upsertVenueVolume = (rows: ReadonlyArray<FinraVenueVolume>, ctx: RunContext) =>
  bulkUpsert(
    VENUE_VOLUME,
    rows.map((r) => [
      r.week_ending,
      r.tier,
      r.symbol,
      r.issue_name,
      r.mpid,
      r.total_weekly_share_quantity,
      r.total_weekly_trade_count,
      r.last_update_date,
      r.source,
      ctx.captureId,
      ctx.capturedAt,
      ctx.executionId,
      ctx.batchId,
    ]),
  );
