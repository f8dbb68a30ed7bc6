/**
 * Market data: canonical daily bars and point-in-time quotes.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { captureColumns } from "./capture-columns";

/** Canonical daily OHLCV bars, one row per symbol, trading date and source. */
export const marketPrices = sqliteTable(
  "market_prices",
  {
    symbol: text("symbol").notNull(),
    tradingDate: text("trading_date").notNull(),
    source: text("source").notNull(),
    open: text("open").notNull(),
    high: text("high").notNull(),
    low: text("low").notNull(),
    close: text("close").notNull(),
    volume: integer("volume").notNull(),
    vwap: text("vwap"),
    tradeCount: integer("trade_count"),
    barStart: text("bar_start").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.symbol, t.tradingDate, t.source] }),
    index("market_prices_date_idx").on(t.tradingDate),
    index("market_prices_capture_idx").on(t.captureId),
  ],
);

/** Point-in-time price observations (IEX-style quotes): the canonical `MarketData`. */
export const marketQuotes = sqliteTable(
  "market_quotes",
  {
    symbol: text("symbol").notNull(),
    quotedAt: text("quoted_at").notNull(),
    source: text("source").notNull(),
    price: text("price").notNull(),
    volume: integer("volume").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.symbol, t.quotedAt, t.source] })],
);
