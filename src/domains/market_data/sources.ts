/**
 * Market-data sources: Polygon aggregates (`/v2/aggs/ticker/{T}/range/1/day/{from}/{to}`).
 */
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import type { FieldMapping } from "../../core/ingest/mapping";

/** Source name stored in `market_prices.source`. */
export const POLYGON_SOURCE = "polygon";

/** Polygon daily-aggregate fields → canonical `DailyBar` fields. */
export const POLYGON_DAILY_MAPPING: FieldMapping = {
  o: "open",
  h: "high",
  l: "low",
  c: "close",
  v: "volume",
  vw: "vwap",
  n: "trade_count",
  t: "bar_start",
};

/** The envelope of a Polygon aggregates response; results are checked record by record. */
const PolygonAggsEnvelope = Schema.Struct({
  status: Schema.String,
  ticker: Schema.optional(Schema.String),
  resultsCount: Schema.optional(Schema.Number),
  results: Schema.optional(Schema.Array(Schema.Unknown)),
  error: Schema.optional(Schema.String),
});

/** The aggregates URL of one symbol and date range (ascending, adjusted). */
export const polygonDailyUrl = (r: {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
}): string => {
  const url = new URL(
    `${r.baseUrl}/v2/aggs/ticker/${encodeURIComponent(r.symbol)}/range/1/day/${r.from}/${r.to}`,
  );
  url.searchParams.set("adjusted", "true");
  url.searchParams.set("sort", "asc");
  url.searchParams.set("limit", "50000");
  if (r.apiKey !== "") url.searchParams.set("apiKey", r.apiKey);
  return url.toString();
};

/** Why a Polygon aggregates body is refused: its shape, or the status it reports. */
export interface PolygonRefusal {
  readonly reason: "decode" | "status";
  readonly message: string;
}

/** The ticker and raw results of a Polygon aggregates body, or why the body is refused. */
export const readPolygonAggs = (
  body: unknown,
): Either.Either<
  { readonly ticker: string | undefined; readonly results: ReadonlyArray<unknown> },
  PolygonRefusal
> =>
  Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(PolygonAggsEnvelope)(body),
      (e): PolygonRefusal => ({
        reason: "decode",
        message: `unexpected Polygon aggregates shape: ${e.message}`,
      }),
    ),
    (envelope) =>
      envelope.status === "ERROR" || envelope.status === "NOT_AUTHORIZED"
        ? Either.left({
            reason: "status" as const,
            message: `Polygon returned status ${envelope.status}: ${envelope.error ?? "no message"}`,
          })
        : Either.right({ ticker: envelope.ticker, results: envelope.results ?? [] }),
  );
