/**
 * Writes canonical daily bars to `market_prices`, idempotently: the primary key
 * (symbol, trading_date, source) makes a re-run an update, never a duplicate.
 */
import { Effect } from "effect";
import type { CanonicalRecord } from "../../core/model/canonical-record";
import type { RunContext } from "../../core/model/run-context";
import {
  type BulkUpsertSpec,
  bulkUpsert,
  CAPTURE_COLUMNS,
  captureValues,
} from "../../db/bulk-upsert";
import { dbTry } from "../../db/db";
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

/** The canonical columns of `market_prices` (its columns without the audit ones). */
const CANONICAL_COLUMNS = MARKET_PRICES_UPSERT.columns;

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
