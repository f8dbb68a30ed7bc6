/**
 * Writes trades to `trades`, idempotently: the key (client_id, trade_id) makes a re-ingest an
 * update, never a duplicate. Also the look-ups the trade invariants need.
 */
import { Effect } from "effect";
import type { RunContext } from "../../core/pipeline";
import {
  type BulkUpsertSpec,
  bulkUpsert,
  CAPTURE_COLUMNS,
  captureValues,
} from "../../db/bulk-upsert";
import { dbTry } from "../../db/db";
import type { TradeData } from "./schema";

/** The `trades` columns in tuple order, and its key. */
export const TRADES_UPSERT: BulkUpsertSpec = {
  table: "trades",
  columns: [
    "client_id",
    "trade_id",
    "symbol",
    "side",
    "quantity",
    "price",
    "executed_at",
    "venue",
    "source",
  ],
  shared: CAPTURE_COLUMNS,
  key: ["client_id", "trade_id"],
};

/** Upserts trades; returns the rows inserted or updated. */
export const upsertTrades = (trades: ReadonlyArray<TradeData>, ctx: RunContext) =>
  bulkUpsert(
    TRADES_UPSERT,
    trades.map((t) => [
      t.client_id,
      t.trade_id,
      t.symbol,
      t.side,
      t.quantity,
      t.price,
      t.timestamp,
      t.venue,
      t.source,
    ]),
    captureValues(ctx),
  );

/** Which of these (client_id, trade_id) keys this execution has already written. */
export const keysWrittenBy = (
  executionId: string,
  keys: ReadonlyArray<readonly [string, string]>,
) =>
  keys.length === 0
    ? Effect.succeed(new Set<string>())
    : dbTry("trades.keysWrittenBy", (_, client) =>
        client.execute({
          sql: `SELECT t.client_id, t.trade_id FROM json_each(?) j
JOIN trades t ON t.client_id = j.value->>0 AND t.trade_id = j.value->>1
WHERE t.execution_id = ?`,
          args: [JSON.stringify(keys), executionId],
        }),
      ).pipe(
        Effect.map(
          (result) =>
            new Set(result.rows.map((r) => `${String(r.client_id)}\u0000${String(r.trade_id)}`)),
        ),
      );

/** Which of these (symbol, trading_date) pairs have a bar in `market_prices` (any source). */
export const pricedPairs = (pairs: ReadonlyArray<readonly [string, string]>) =>
  pairs.length === 0
    ? Effect.succeed(new Set<string>())
    : dbTry("market_prices.pricedPairs", (_, client) =>
        client.execute({
          sql: `SELECT DISTINCT p.symbol, p.trading_date FROM json_each(?) j
JOIN market_prices p ON p.symbol = j.value->>0 AND p.trading_date = j.value->>1`,
          args: [JSON.stringify(pairs)],
        }),
      ).pipe(
        Effect.map(
          (result) =>
            new Set(result.rows.map((r) => `${String(r.symbol)}|${String(r.trading_date)}`)),
        ),
      );
