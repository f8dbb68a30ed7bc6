/**
 * `polygon_aggs`: a Polygon aggregates response (`/v2/aggs/ticker/…`) → `DailyBar` →
 * `market_prices`; `market_data.ingest_prices` runs it once per symbol of its universe. The
 * trading date of each bar is its partition's date when the run has one, else the New York
 * date of its `t` (Polygon stamps 00:00 New York; a bar stamped otherwise breaks a contract).
 */
import * as Either from "effect/Either";
import { newYorkDate } from "../../calendar/sessions";
import { mapFields } from "../../core/ingest/mapping";
import { jsonRecord } from "../../core/ingest/parsing/json-records";
import type { SourceDefinition, SourceRecord } from "../../core/ingest/source";
import { defineSource } from "../../core/ingest/source-run";
import { dailyBarTableDetection } from "./bar-detection";
import { type DailyBar, decodeDailyBar } from "./schema";
import {
  POLYGON_DAILY_MAPPING,
  POLYGON_SOURCE,
  type PolygonRefusal,
  readPolygonAggs,
} from "./sources";
import { upsertDailyBars } from "./store";

/**
 * The records of an aggregates body, each with the ticker the envelope names (or, when it
 * names none, `requested`: the ticker the request asked for), or why the body is refused.
 */
export const polygonAggsRecords = (
  document: unknown,
  requested?: string,
): Either.Either<ReadonlyArray<SourceRecord>, PolygonRefusal> =>
  Either.map(readPolygonAggs(document), ({ ticker, results }) =>
    results.map((r, i) => jsonRecord(i, r, { ticker: ticker ?? requested ?? null })),
  );

/** The typed definition of `polygon_aggs` (`ingest_prices` and replay decode with it). */
export const POLYGON_AGGS_DEFINITION = {
  name: "polygon_aggs",
  domain: "market_data",
  description: "Polygon daily aggregates (JSON) into market_prices",
  target: "market_prices",
  parser: {
    format: "json",
    records: (document) =>
      Either.mapLeft(polygonAggsRecords(document), (refusal) => ({
        message: refusal.message,
        retryable: false,
      })),
  },
  decode: (record, env) => {
    const t = record.fields.t;
    const tradingDate =
      env.hints.date ??
      (typeof t === "number" && Number.isSafeInteger(t) && t >= 0 ? newYorkDate(t) : undefined);
    const mapped = mapFields(record.fields, POLYGON_DAILY_MAPPING, {
      symbol: record.fields.ticker,
      ...(tradingDate === undefined ? {} : { trading_date: tradingDate }),
      source: POLYGON_SOURCE,
    });
    return decodeDailyBar(mapped, env.nowMs);
  },
  write: upsertDailyBars,
  detection: dailyBarTableDetection,
} satisfies SourceDefinition<DailyBar>;

/** The `polygon_aggs` source. */
export const polygonAggsSource = defineSource(POLYGON_AGGS_DEFINITION);
