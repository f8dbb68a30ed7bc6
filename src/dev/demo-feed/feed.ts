/**
 * Deterministic demo market-data feed speaking Polygon's daily-aggregates format: the
 * web-standard HTTP handler, plus re-exports of the bars it serves.
 *
 * Every (symbol, date) maps to the same bar in every process: the prices come from a
 * mean-reverting geometric random walk stepped over NYSE trading days (`./walk`), and
 * every random draw is a pure function of (symbol, trading-day index) (`./random`), so
 * neither call order nor caching can change a value; bars and the Polygon response are built
 * in `./bars`. Web-standard only; the Node adapter lives in `src/node/dev/demo-feed-server.ts`.
 */
import { daysBetween, parseIsoDate } from "../../calendar/dates";
import type { DemoAnomaly } from "./anomalies";
import { polygonAggsResponse } from "./bars";
import { handleDemoExecutions } from "./executions";
import { hashString } from "./random";

export { demoDailyBar, polygonAggsResponse } from "./bars";
export type { PolygonAggBar, PolygonAggsResponse } from "./polygon-format";
export { DEMO_FEED_FIRST_DATE, DEMO_FEED_LAST_DATE } from "./walk";

/** Longest `from`…`to` span the HTTP handler serves, in calendar days (five years). */
export const DEMO_FEED_MAX_RANGE_DAYS = 5 * 365 + 2;

const AGGS_PATH = /^\/v2\/aggs\/ticker\/([^/]+)\/range\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/?$/;
const TICKER = /^[A-Z0-9][A-Z0-9.]{0,15}$/;

/** 32 hex digits derived from the request (minus its API key), like Polygon's ids. */
function requestIdFor(url: URL): string {
  const params = [...url.searchParams].filter(([key]) => key !== "apiKey").sort();
  const key = `${url.pathname}?${new URLSearchParams(params).toString()}`;
  return [1, 2, 3, 4].map((seed) => hashString(key, seed).toString(16).padStart(8, "0")).join("");
}

function json(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function badRequest(requestId: string, error: string): Response {
  return json(400, { status: "ERROR", request_id: requestId, error });
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function handleAggs(
  segments: ReadonlyArray<string>,
  requestId: string,
  anomalies: ReadonlyArray<DemoAnomaly>,
): Response {
  const [rawTicker = "", multiplier, timespan, rawFrom = "", rawTo = ""] = segments;
  const ticker = safeDecode(rawTicker);
  if (ticker === undefined || !TICKER.test(ticker)) {
    return badRequest(requestId, "Invalid ticker: use upper-case letters, digits and '.'");
  }
  if (multiplier !== "1") {
    return badRequest(requestId, "Unsupported multiplier: the demo feed serves multiplier 1 only");
  }
  if (timespan !== "day") {
    return badRequest(requestId, "Unsupported timespan: the demo feed serves 'day' only");
  }
  const from = parseIsoDate(safeDecode(rawFrom) ?? "");
  if (from === undefined) {
    return badRequest(requestId, "Could not parse the time parameter: 'from'. Use YYYY-MM-DD");
  }
  const to = parseIsoDate(safeDecode(rawTo) ?? "");
  if (to === undefined) {
    return badRequest(requestId, "Could not parse the time parameter: 'to'. Use YYYY-MM-DD");
  }
  const span = daysBetween(from, to);
  if (span < 0) return badRequest(requestId, "The 'from' date must not be after the 'to' date");
  if (span > DEMO_FEED_MAX_RANGE_DAYS) {
    return badRequest(requestId, "Date range too large: at most 5 years per request");
  }
  return json(200, polygonAggsResponse(ticker, from, to, requestId, anomalies));
}

/**
 * Web-standard handler of the demo feed: `GET /v2/aggs/ticker/:ticker/range/1/day/:from/:to`
 * (Polygon's shape; an `apiKey` query parameter is accepted and ignored), `GET /health`, and
 * `GET /v1/executions/:date/:client_id.csv` (demo execution CSV, `./executions`).
 * `anomalies` (default none) are injected into the bars (`./anomalies`).
 */
export function handleDemoFeedRequest(
  request: Request,
  anomalies: ReadonlyArray<DemoAnomaly> = [],
): Response {
  const url = new URL(request.url);
  const requestId = requestIdFor(url);
  if (request.method !== "GET" && request.method !== "HEAD") {
    return json(
      405,
      { status: "ERROR", request_id: requestId, error: "Method not allowed" },
      {
        allow: "GET, HEAD",
      },
    );
  }
  if (url.pathname === "/health") return json(200, { status: "OK" });
  const match = AGGS_PATH.exec(url.pathname);
  if (match !== null) return handleAggs(match.slice(1), requestId, anomalies);
  const executions = handleDemoExecutions(url);
  if (executions !== undefined) return executions;
  return json(404, { status: "NOT_FOUND", request_id: requestId, message: "Not found" });
}
