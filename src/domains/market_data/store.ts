/**
 * Writes canonical daily bars to `market_prices`, idempotently: the primary key
 * (symbol, trading_date, source) makes a re-run an update, never a duplicate.
 */
import * as Effect from "effect/Effect";
import type { CanonicalRecord } from "../../core/model/canonical-record";
import type { RunContext } from "../../core/model/run-context";
import type { StoredPage } from "../../core/pipeline/pipeline";
import { readAllPages } from "../../core/pipeline/stored-output";
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

const recordOf = (row: Readonly<Record<string, unknown>>): CanonicalRecord =>
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
  );

/**
 * One page of the stored bars of a date, source and set of symbols, without audit columns: at
 * most `limit` bars after symbol `after`, by symbol (keyset on the primary key, never OFFSET).
 */
export const readStoredBarsPage = (
  date: string,
  symbols: ReadonlyArray<string>,
  source: string,
  after: string | undefined,
  limit: number,
) =>
  dbTry("market_prices.readPartition", (_, client) =>
    client.execute({
      sql: `SELECT ${CANONICAL_COLUMNS.join(", ")} FROM market_prices
WHERE trading_date = ? AND source = ? AND symbol IN (SELECT value FROM json_each(?))${after === undefined ? "" : " AND symbol > ?"}
ORDER BY symbol LIMIT ?`,
      args: [date, source, JSON.stringify(symbols), ...(after === undefined ? [] : [after]), limit],
    }),
  ).pipe(
    Effect.map((result): StoredPage => {
      const last = result.rows.length === limit ? result.rows[limit - 1] : undefined;
      return {
        records: result.rows.map(recordOf),
        next: last === undefined ? undefined : String(last.symbol),
      };
    }),
  );

/** The stored bars of one date, source and set of symbols, without audit columns. */
export const readStoredBars = (date: string, symbols: ReadonlyArray<string>, source: string) =>
  readAllPages((after, limit) => readStoredBarsPage(date, symbols, source, after, limit));
