/**
 * Writes trades to `trades`, idempotently: the key (client_id, trade_id) makes a re-ingest an
 * update, never a duplicate. Also the look-ups the trade invariants need.
 */
import * as Effect from "effect/Effect";
import { addDays } from "../../calendar/dates";
import { newYorkDate } from "../../calendar/sessions";
import type { CanonicalRecord } from "../../core/model/canonical-record";
import type { RunContext } from "../../core/model/run-context";
import type { StoredPage } from "../../core/pipeline/pipeline";
import { readAllPages } from "../../core/pipeline/stored-output";
import { dbTry } from "../../db/db";
import { trades } from "../../db/schema/trade-data";
import { tableWriter } from "../../db/table-writer";
import type { TradeData } from "./schema";

/** `trades` as executions fill it. */
export const TRADES = tableWriter(trades, {
  clientId: (t: TradeData) => t.client_id,
  tradeId: (t) => t.trade_id,
  symbol: (t) => t.symbol,
  side: (t) => t.side,
  quantity: (t) => t.quantity,
  price: (t) => t.price,
  executedAt: (t) => t.timestamp,
  venue: (t) => t.venue,
  source: (t) => t.source,
});

/** The `trades` upsert (the bench's raw baseline runs the same statement). */
export const TRADES_UPSERT = TRADES.spec;

/** Upserts trades; returns the rows inserted or updated. */
export const upsertTrades = (rows: ReadonlyArray<TradeData>, ctx: RunContext) =>
  TRADES.write(rows, undefined, ctx);

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

const CANONICAL_COLUMNS = TRADES.columns;

/** A trade as a canonical record: the `trades` row without audit columns. */
export const canonicalTrade = (t: TradeData): CanonicalRecord => {
  const values = TRADES.tuple(t, undefined);
  return Object.fromEntries(
    CANONICAL_COLUMNS.map((c, i) => [c, values[i] as CanonicalRecord[string]]),
  );
};

const recordOf = (row: Readonly<Record<string, unknown>>): CanonicalRecord =>
  Object.fromEntries(
    CANONICAL_COLUMNS.map((c) => {
      const v = row[c];
      return [c, v === undefined || v === null ? null : (v as string | number)];
    }),
  );

/**
 * One page of the stored trades of a client and New York trading date, without audit
 * columns: at most `limit` rows after trade id `after`, by trade id (the primary key's order;
 * keyset, never OFFSET). The next page starts after the last row read, kept or not.
 */
export const readStoredTradesPage = (
  date: string,
  clientId: string,
  after: string | undefined,
  limit: number,
) =>
  dbTry("trades.readPartition", (_, client) =>
    client.execute({
      // A New York day lies within the UTC days either side of it; the exact cut is below.
      sql: `SELECT ${CANONICAL_COLUMNS.join(", ")} FROM trades
WHERE client_id = ? AND executed_at >= ? AND executed_at < ?${after === undefined ? "" : " AND trade_id > ?"}
ORDER BY trade_id LIMIT ?`,
      args: [
        clientId,
        addDays(date, -1),
        addDays(date, 2),
        ...(after === undefined ? [] : [after]),
        limit,
      ],
    }),
  ).pipe(
    Effect.map((result): StoredPage => {
      const last = result.rows.length === limit ? result.rows[limit - 1] : undefined;
      return {
        records: result.rows
          .map(recordOf)
          .filter((r) => newYorkDate(Date.parse(String(r.executed_at))) === date),
        next: last === undefined ? undefined : String(last.trade_id),
      };
    }),
  );

/** The stored trades of one client and New York trading date, without audit columns. */
export const readStoredTrades = (date: string, clientId: string) =>
  readAllPages((after, limit) => readStoredTradesPage(date, clientId, after, limit));
