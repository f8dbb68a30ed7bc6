/**
 * `polygon_aggs`: a Polygon aggregates response (`/v2/aggs/ticker/…`) → `DailyBar` →
 * `market_prices`, with the mapping and contracts of `market_data.ingest_prices`. The trading
 * date of each bar is the New York date of its `t` (Polygon stamps 00:00 New York).
 */
import { Either } from "effect";
import { newYorkDate } from "../../calendar/sessions";
import { mapFields } from "../../core/ingest/mapping";
import { jsonRecord } from "../../core/ingest/parsing/json-records";
import { defineSource } from "../../core/ingest/source-run";
import { dailyBarTableDetection } from "./bar-detection";
import { decodeDailyBar } from "./schema";
import { POLYGON_DAILY_MAPPING, POLYGON_SOURCE, readPolygonAggs } from "./sources";
import { upsertDailyBars } from "./store";

/** The `polygon_aggs` source. */
export const polygonAggsSource = defineSource({
  name: "polygon_aggs",
  domain: "market_data",
  description: "Polygon daily aggregates (JSON) into market_prices",
  target: "market_prices",
  parser: {
    format: "json",
    records: (document) =>
      Either.match(readPolygonAggs(document), {
        onLeft: (message) => Either.left({ message, retryable: false }),
        onRight: ({ ticker, results }) =>
          Either.right(results.map((r, i) => jsonRecord(i, r, { ticker: ticker ?? null }))),
      }),
  },
  decode: (record, env) => {
    const t = record.fields.t;
    const mapped = mapFields(record.fields, POLYGON_DAILY_MAPPING, {
      symbol: record.fields.ticker,
      source: POLYGON_SOURCE,
      ...(typeof t === "number" && Number.isSafeInteger(t) && t >= 0
        ? { trading_date: newYorkDate(t) }
        : {}),
    });
    return decodeDailyBar(mapped, env.nowMs);
  },
  write: upsertDailyBars,
  detection: dailyBarTableDetection,
});
