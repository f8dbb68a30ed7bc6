/**
 * Writes canonical price observations (`MarketData`) to `market_quotes`, idempotently: the key
 * (symbol, quoted_at, source) makes a re-ingest an update, never a duplicate.
 */
import type { RunContext } from "../../core/model/run-context";
import {
  type BulkUpsertSpec,
  bulkUpsert,
  CAPTURE_COLUMNS,
  captureValues,
} from "../../db/bulk-upsert";
import type { MarketData } from "./schema";

const QUOTES: BulkUpsertSpec = {
  table: "market_quotes",
  columns: ["symbol", "quoted_at", "source", "price", "volume"],
  shared: CAPTURE_COLUMNS,
  key: ["symbol", "quoted_at", "source"],
};

/** Upserts quotes; returns the rows inserted or updated. */
export const upsertQuotes = (quotes: ReadonlyArray<MarketData>, ctx: RunContext) =>
  bulkUpsert(
    QUOTES,
    quotes.map((q) => [q.symbol, q.timestamp, q.source, q.price, q.volume]),
    captureValues(ctx),
  );
