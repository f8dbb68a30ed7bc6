/**
 * Writes canonical daily bars to `market_prices`, idempotently.
 *
 * Rows go to SQLite as one JSON argument per chunk (`INSERT … SELECT … FROM json_each(?)`),
 * which lets SQLite parse and insert in C — the fastest path through the libSQL drivers
 * (see PERFORMANCE.md) and a single small request over HTTP. The primary key
 * (symbol, trading_date, source) makes a re-run an update, never a duplicate.
 */
import { Effect } from "effect";
import type { RunContext } from "../../core/pipeline";
import { dbTry } from "../../db/db";
import type { DailyBar } from "./schema";

const COLUMNS = [
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
  "capture_id",
  "captured_at",
  "execution_id",
  "batch_id",
] as const;

const KEY = new Set(["symbol", "trading_date", "source"]);

const UPSERT_SQL = `INSERT INTO market_prices (${COLUMNS.join(", ")})
SELECT ${COLUMNS.map((_, i) => `value->>${i}`).join(", ")} FROM json_each(?) WHERE true
ON CONFLICT (symbol, trading_date, source) DO UPDATE SET
${COLUMNS.filter((c) => !KEY.has(c))
  .map((c) => `${c} = excluded.${c}`)
  .join(",\n")}`;

/** Rows per statement: bounded so one JSON argument stays a few MB at most. */
export const UPSERT_CHUNK_ROWS = 5_000;

const toTuple = (bar: DailyBar, ctx: RunContext) => [
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
  ctx.captureId,
  ctx.capturedAt,
  ctx.executionId,
  ctx.batchId,
];

/** Upserts bars in chunks; returns the number of rows inserted or updated. */
export const upsertDailyBars = (bars: ReadonlyArray<DailyBar>, ctx: RunContext) =>
  Effect.gen(function* () {
    let written = 0;
    for (let start = 0; start < bars.length; start += UPSERT_CHUNK_ROWS) {
      const chunk = bars.slice(start, start + UPSERT_CHUNK_ROWS).map((b) => toTuple(b, ctx));
      const result = yield* dbTry("market_prices.upsert", (_, client) =>
        client.execute({ sql: UPSERT_SQL, args: [JSON.stringify(chunk)] }),
      );
      written += result.rowsAffected;
    }
    return written;
  });
