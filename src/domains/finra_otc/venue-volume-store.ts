/**
 * Writes weekly venue volume to `finra_otc_transparency_venue_volume`, idempotently: the key
 * (week_ending, tier, symbol, mpid) makes a re-ingest an update, never a duplicate.
 */
import type { RunContext } from "../../core/model/run-context";
import { finraOtcVenueVolume } from "../../db/schema/finra-otc";
import { tableWriter } from "../../db/table-writer";
import type { FinraVenueVolume } from "./schema";

const VENUE_VOLUME = tableWriter(finraOtcVenueVolume, {
  weekEnding: (r: FinraVenueVolume) => r.week_ending,
  tier: (r) => r.tier,
  symbol: (r) => r.symbol,
  issueName: (r) => r.issue_name,
  mpid: (r) => r.mpid,
  totalWeeklyShareQuantity: (r) => r.total_weekly_share_quantity,
  totalWeeklyTradeCount: (r) => r.total_weekly_trade_count,
  lastUpdateDate: (r) => r.last_update_date,
  source: (r) => r.source,
});

/** Upserts venue-volume rows; returns the rows inserted or updated. */
export const upsertVenueVolume = (rows: ReadonlyArray<FinraVenueVolume>, ctx: RunContext) =>
  VENUE_VOLUME.write(rows, undefined, ctx);
