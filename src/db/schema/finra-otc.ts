/**
 * FINRA OTC transparency: weekly venue volume as published, the raw lines, and the weekly
 * pipelines' stage tables (symbol summary, venue share, six-week rolling averages).
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { captureColumns } from "./capture-columns";

/** FINRA OTC transparency weekly volume per symbol and venue (MPID), as published. */
export const finraOtcVenueVolume = sqliteTable(
  "finra_otc_transparency_venue_volume",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    issueName: text("issue_name").notNull(),
    mpid: text("mpid").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    totalWeeklyTradeCount: integer("total_weekly_trade_count").notNull(),
    lastUpdateDate: text("last_update_date").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.weekEnding, t.tier, t.symbol, t.mpid] }),
    index("finra_otc_venue_volume_symbol_idx").on(t.symbol, t.weekEnding),
  ],
);

/** FINRA weekly files as received (ingest_week): one row per data line, fields untouched. */
export const finraOtcRaw = sqliteTable(
  "finra_otc_transparency_raw",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    /** Line number in the file (header = 1). */
    recordIndex: integer("record_index").notNull(),
    tierDescription: text("tier_description"),
    issueSymbolIdentifier: text("issue_symbol_identifier"),
    issueName: text("issue_name"),
    marketParticipantName: text("market_participant_name"),
    mpid: text("mpid"),
    totalWeeklyShareQuantity: text("total_weekly_share_quantity"),
    totalWeeklyTradeCount: text("total_weekly_trade_count"),
    lastUpdateDate: text("last_update_date"),
    rawRecord: text("raw_record").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.recordIndex] })],
);

/** Per-symbol weekly totals of one tier (aggregate_week). */
export const finraOtcSymbolSummary = sqliteTable(
  "finra_otc_transparency_symbol_summary",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    issueName: text("issue_name").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    totalWeeklyTradeCount: integer("total_weekly_trade_count").notNull(),
    venueCount: integer("venue_count").notNull(),
    /** Shares per trade, exact decimal (4 places, half up); "0" without trades. */
    avgTradeSize: text("avg_trade_size").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.weekEnding, t.tier, t.symbol] }),
    index("finra_otc_symbol_summary_tier_idx").on(t.tier, t.weekEnding),
  ],
);

/** Each venue's share of a symbol's weekly volume (aggregate_week). */
export const finraOtcVenueShare = sqliteTable(
  "finra_otc_transparency_venue_share",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    mpid: text("mpid").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    /** Venue quantity ÷ symbol quantity, exact decimal (6 places, half up). */
    marketShare: text("market_share").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.symbol, t.mpid] })],
);

/** Six-week rolling averages per symbol, for the window ending at `week_ending`. */
export const finraOtcRolling6w = sqliteTable(
  "finra_otc_transparency_symbol_rolling_6w",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    windowStart: text("window_start").notNull(),
    weeksInWindow: integer("weeks_in_window").notNull(),
    /** Exact decimals (2 places, half up). */
    avgWeeklyShareQuantity: text("avg_weekly_share_quantity").notNull(),
    avgWeeklyTradeCount: text("avg_weekly_trade_count").notNull(),
    avgVenueCount: text("avg_venue_count").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.symbol] })],
);
