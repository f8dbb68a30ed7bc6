/**
 * Writes canonical daily bars to `market_prices`, idempotently: the primary key
 * (symbol, trading_date, source) makes a re-run an update, never a duplicate.
 */
import type { RunContext } from "../../core/pipeline";
import {
  type BulkUpsertSpec,
  bulkUpsert,
  CAPTURE_COLUMNS,
  captureValues,
} from "../../db/bulk-upsert";
import type { DailyBar } from "./schema";

/** The `market_prices` columns in tuple order, and its key. */
export const MARKET_PRICES_UPSERT: BulkUpsertSpec = {
  table: "market_prices",
  columns: [
    "symbol",
    "trading_date",
    "source",
    "open",
    "high",
    "low",
    "close",
    "volume",
    "vwap",
    "trade_count",
    "bar_start",
  ],
  shared: CAPTURE_COLUMNS,
  key: ["symbol", "trading_date", "source"],
};

/** Upserts bars in chunks; returns the number of rows inserted or updated. */
export const upsertDailyBars = (bars: ReadonlyArray<DailyBar>, ctx: RunContext) =>
  bulkUpsert(
    MARKET_PRICES_UPSERT,
    bars.map((bar) => [
      bar.symbol,
      bar.trading_date,
      bar.source,
      bar.open,
      bar.high,
      bar.low,
      bar.close,
      bar.volume,
      bar.vwap,
      bar.trade_count,
      bar.bar_start,
    ]),
    captureValues(ctx),
  );
