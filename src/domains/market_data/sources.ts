/**
 * Market-data sources: Polygon aggregates (`/v2/aggs/ticker/{T}/range/1/day/{from}/{to}`).
 */
import { Effect, Either, Schema } from "effect";
import { fetchJson, redactUrl } from "../../core/ingest/http-source";
import type { FieldMapping } from "../../core/ingest/mapping";
import { PermanentSourceError } from "../../core/model/errors";

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

/** One raw result of a response, with its position for quarantine records. */
export interface RawRecord {
  readonly symbol: string;
  readonly index: number;
  readonly raw: unknown;
}

export interface PolygonRequest {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly timeoutMs: number;
  readonly symbol: string;
  readonly from: string;
  readonly to: string;
}

/** Builds the aggregates URL for one symbol and date range (ascending, adjusted). */
export const polygonDailyUrl = (r: PolygonRequest): string => {
  const url = new URL(
    `${r.baseUrl}/v2/aggs/ticker/${encodeURIComponent(r.symbol)}/range/1/day/${r.from}/${r.to}`,
  );
  url.searchParams.set("adjusted", "true");
  url.searchParams.set("sort", "asc");
  url.searchParams.set("limit", "50000");
  if (r.apiKey !== "") url.searchParams.set("apiKey", r.apiKey);
  return url.toString();
};

/** Fetches one symbol's daily bars; an error envelope or an unexpected shape is permanent. */
export const fetchPolygonDaily = (r: PolygonRequest) =>
  Effect.gen(function* () {
    const url = polygonDailyUrl(r);
    const body = yield* fetchJson({ source: POLYGON_SOURCE, url, timeoutMs: r.timeoutMs });
    const envelope = yield* Schema.decodeUnknown(PolygonAggsEnvelope)(body).pipe(
      Effect.mapError(
        (e) =>
          new PermanentSourceError({
            source: POLYGON_SOURCE,
            url: redactUrl(url),
            reason: "decode",
            message: `unexpected Polygon aggregates shape: ${e.message}`,
            payload: JSON.stringify(body).slice(0, 65_536),
          }),
      ),
    );
    if (envelope.status === "ERROR" || envelope.status === "NOT_AUTHORIZED") {
      return yield* new PermanentSourceError({
        source: POLYGON_SOURCE,
        url: redactUrl(url),
        reason: "status",
        message: `Polygon returned status ${envelope.status}: ${envelope.error ?? "no message"}`,
        payload: JSON.stringify(body).slice(0, 65_536),
      });
    }
    return (envelope.results ?? []).map(
      (raw, index): RawRecord => ({ symbol: envelope.ticker ?? r.symbol, index, raw }),
    );
  });

/** The ticker and raw results of a Polygon aggregates body, or why the body is refused. */
export const readPolygonAggs = (
  body: unknown,
): Either.Either<
  { readonly ticker: string | undefined; readonly results: ReadonlyArray<unknown> },
  string
> =>
  Either.flatMap(
    Either.mapLeft(
      Schema.decodeUnknownEither(PolygonAggsEnvelope)(body),
      (e) => `unexpected Polygon aggregates shape: ${e.message}`,
    ),
    (envelope) =>
      envelope.status === "ERROR" || envelope.status === "NOT_AUTHORIZED"
        ? Either.left(
            `Polygon returned status ${envelope.status}: ${envelope.error ?? "no message"}`,
          )
        : Either.right({ ticker: envelope.ticker, results: envelope.results ?? [] }),
  );
