/**
 * `alphavantage_daily`: Alpha Vantage `TIME_SERIES_DAILY` JSON → `DailyBar` → `market_prices`.
 *
 * The document is `{"Meta Data": {"2. Symbol": …}, "Time Series (Daily)": {"YYYY-MM-DD":
 * {"1. open", "2. high", "3. low", "4. close", "5. volume"}}}`; one record per date, in the
 * document's order. Alpha Vantage answers errors with HTTP 200: `"Error Message"` is permanent,
 * a `"Note"` / `"Information"` (rate limit) without a series is transient. A bar starts at
 * 00:00 New York time of its date, like Polygon's, so both sources agree on `bar_start`.
 */
import * as Either from "effect/Either";
import { easternMidnightUtcMs } from "../../calendar/dates";
import { isJsonObject, jsonRecord } from "../../core/ingest/parsing/json-records";
import { defineSource } from "../../core/ingest/source-run";
import { isIsoDate } from "../../core/model/contract-fields";
import { dailyBarTableDetection } from "./bar-detection";
import { decodeDailyBar } from "./schema";
import { upsertDailyBars } from "./store";

/** Source name stored in `market_prices.source`. */
export const ALPHAVANTAGE_SOURCE = "alphavantage";

const SERIES = "Time Series (Daily)";

const recordsOf = (document: unknown) => {
  if (!isJsonObject(document)) {
    return Either.left({
      message: "not an Alpha Vantage document: expected an object",
      retryable: false,
    });
  }
  const series = document[SERIES];
  if (!isJsonObject(series)) {
    const note = document.Note ?? document.Information;
    if (typeof document["Error Message"] === "string") {
      return Either.left({
        message: `Alpha Vantage error: ${document["Error Message"]}`,
        retryable: false,
      });
    }
    if (typeof note === "string") {
      return Either.left({
        message: `Alpha Vantage asked to retry later: ${note}`,
        retryable: true,
      });
    }
    return Either.left({
      message: `not a TIME_SERIES_DAILY document: no "${SERIES}"`,
      retryable: false,
    });
  }
  const meta = document["Meta Data"];
  const symbol = isJsonObject(meta) ? (meta["2. Symbol"] ?? null) : null;
  return Either.right(
    Object.entries(series).map(([date, values], i) => jsonRecord(i, values, { symbol, date })),
  );
};

/** The `alphavantage_daily` source. */
export const alphaVantageDailySource = defineSource({
  name: "alphavantage_daily",
  domain: "market_data",
  description: "Alpha Vantage TIME_SERIES_DAILY (JSON) into market_prices",
  target: "market_prices",
  parser: { format: "json", records: recordsOf },
  decode: (record, env) => {
    const f = record.fields;
    const date = f.date;
    return decodeDailyBar(
      {
        symbol: f.symbol,
        trading_date: date,
        open: f["1. open"],
        high: f["2. high"],
        low: f["3. low"],
        close: f["4. close"],
        volume: f["5. volume"],
        bar_start:
          typeof date === "string" && isIsoDate(date)
            ? new Date(easternMidnightUtcMs(date)).toISOString()
            : undefined,
        source: ALPHAVANTAGE_SOURCE,
      },
      env.nowMs,
    );
  },
  write: upsertDailyBars,
  detection: dailyBarTableDetection,
});
