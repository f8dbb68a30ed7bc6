/**
 * `iex_quote`: IEX Cloud-style quote JSON → canonical `MarketData` → `market_quotes`.
 *
 * Accepted documents: one quote (`/stock/{symbol}/quote`), an array of quotes, or a batch map
 * (`/stock/market/batch?types=quote`: `{"AAPL": {"quote": {…}}, …}`). Fields used: `symbol`,
 * `latestPrice`, `latestUpdate` (epoch ms), and `latestVolume`, falling back to `volume` when
 * IEX leaves `latestVolume` null (outside its own trading window).
 */
import * as Either from "effect/Either";
import { type FieldMapping, mapFields } from "../../core/ingest/mapping";
import { isJsonObject, jsonRecord } from "../../core/ingest/parsing/json-records";
import { defineSource } from "../../core/ingest/source-run";
import { quoteTableDetection } from "./quote-detection";
import { upsertQuotes } from "./quote-store";
import { decodeMarketData } from "./schema";

/** Source name stored in `market_quotes.source`. */
export const IEX_SOURCE = "iex";

/** IEX quote fields → canonical `MarketData` fields. */
export const IEX_QUOTE_MAPPING: FieldMapping = {
  symbol: "symbol",
  latestPrice: "price",
  latestUpdate: "timestamp",
  latestVolume: "volume",
};

const quotesOf = (document: unknown) => {
  if (Array.isArray(document)) return Either.right(document.map((q, i) => jsonRecord(i, q)));
  if (isJsonObject(document) && "symbol" in document)
    return Either.right([jsonRecord(0, document)]);
  if (
    isJsonObject(document) &&
    Object.values(document).every((v) => isJsonObject(v) && "quote" in v)
  ) {
    return Either.right(
      Object.values(document).map((v, i) => jsonRecord(i, isJsonObject(v) ? v.quote : v)),
    );
  }
  return Either.left({
    message: "not an IEX quote payload: expected a quote object, an array of quotes or a batch map",
    retryable: false,
  });
};

/** The `iex_quote` source. */
export const iexQuoteSource = defineSource({
  name: "iex_quote",
  domain: "market_data",
  description: "IEX-style quotes (JSON) into market_quotes",
  target: "market_quotes",
  parser: { format: "json", records: quotesOf },
  decode: (record, env) => {
    const mapped = mapFields(record.fields, IEX_QUOTE_MAPPING, { source: IEX_SOURCE }) ?? {};
    const volume = mapped.volume ?? record.fields.volume;
    return decodeMarketData({ ...mapped, volume }, env.nowMs);
  },
  write: upsertQuotes,
  detection: quoteTableDetection,
});
