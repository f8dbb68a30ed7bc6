/**
 * Writes canonical price observations (`MarketData`) to `market_quotes`, idempotently: the key
 * (symbol, quoted_at, source) makes a re-ingest an update, never a duplicate.
 */
import type { RunContext } from "../../core/model/run-context";
import { marketQuotes } from "../../db/schema/market-data";
import { tableWriter } from "../../db/table-writer";
import type { MarketData } from "./schema";

const QUOTES = tableWriter(marketQuotes, {
  symbol: (q: MarketData) => q.symbol,
  quotedAt: (q) => q.timestamp,
  source: (q) => q.source,
  price: (q) => q.price,
  volume: (q) => q.volume,
});

/** Upserts quotes; returns the rows inserted or updated. */
export const upsertQuotes = (quotes: ReadonlyArray<MarketData>, ctx: RunContext) =>
  QUOTES.write(quotes, undefined, ctx);
