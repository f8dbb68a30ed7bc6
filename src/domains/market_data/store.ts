/**
 * Writes canonical daily bars to `market_prices`, idempotently: the primary key
 * (symbol, trading_date, source) makes a re-run an update, never a duplicate.
 */
import * as Effect from "effect/Effect";
import type { CanonicalRecord } from "../../core/model/canonical-record";
import type { RunContext } from "../../core/model/run-context";
import { dbTry } from "../../db/db";
import { marketPrices } from "../../db/schema/market-data";
import { tableWriter } from "../../db/table-writer";
import type { DailyBar } from "./schema";

/** `market_prices` as bars fill it. */
export const MARKET_PRICES = tableWriter(marketPrices, {
  symbol: (bar: DailyBar) => bar.symbol,
  tradingDate: (bar) => bar.trading_date,
  source: (bar) => bar.source,
  open: (bar) => bar.open,
  high: (bar) => bar.high,
  low: (bar) => bar.low,
  close: (bar) => bar.close,
  volume: (bar) => bar.volume,
  vwap: (bar) => bar.vwap,
  tradeCount: (bar) => bar.trade_count,
  barStart: (bar) => bar.bar_start,
});

/** Upserts bars in chunks; returns the number of rows inserted or updated. */
export const upsertDailyBars = (bars: ReadonlyArray<DailyBar>, ctx: RunContext) =>
  MARKET_PRICES.write(bars, undefined, ctx);

/** The canonical columns of `market_prices` (its columns without the audit ones). */
const CANONICAL_COLUMNS = MARKET_PRICES.columns;

/** The stored bars of one date, source and set of symbols, without audit columns. */
export const readStoredBars = (date: string, symbols: ReadonlyArray<string>, source: string) =>
  dbTry("market_prices.readPartition", (_, client) =>
    client.execute({
      sql: `SELECT ${CANONICAL_COLUMNS.join(", ")} FROM market_prices
WHERE trading_date = ? AND source = ? AND symbol IN (SELECT value FROM json_each(?))
ORDER BY symbol`,
      args: [date, source, JSON.stringify(symbols)],
    }),
  ).pipe(
    Effect.map((result) =>
      result.rows.map(
        (row): CanonicalRecord =>
          Object.fromEntries(
            CANONICAL_COLUMNS.map((c) => {
              const v = row[c];
              return [
                c,
                v === undefined || v === null
                  ? null
                  : typeof v === "bigint"
                    ? Number(v)
                    : (v as string | number),
              ];
            }),
          ),
      ),
    ),
  );
