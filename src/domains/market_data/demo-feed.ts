/**
 * Deterministic demo market-data feed speaking Polygon's daily-aggregates format.
 *
 * Every (symbol, date) maps to the same bar in every process: the prices come from a
 * mean-reverting geometric random walk stepped over NYSE trading days, and every random draw
 * is a pure function of (symbol, trading-day index), so neither call order nor caching can
 * change a value. Web-standard only; the Node adapter lives in `src/node/demo-feed-server.ts`.
 */
import {
  daysBetween,
  easternMidnightUtcMs,
  type IsoDate,
  parseIsoDate,
} from "../../calendar/dates";
import {
  earlyClose,
  isTradingDay,
  nextTradingDay,
  previousTradingDay,
  tradingDaysBetween,
} from "../../calendar/nyse";

/** One daily aggregate exactly as Polygon's `/v2/aggs` returns it (keys in Polygon's order). */
export interface PolygonAggBar {
  readonly v: number;
  readonly vw: number;
  readonly o: number;
  readonly c: number;
  readonly h: number;
  readonly l: number;
  readonly t: number;
  readonly n: number;
}

/** Body of Polygon's `/v2/aggs/ticker/{t}/range/1/day/{from}/{to}`; no `results` when empty. */
export interface PolygonAggsResponse {
  readonly ticker: string;
  readonly queryCount: number;
  readonly resultsCount: number;
  readonly adjusted: true;
  readonly results?: ReadonlyArray<PolygonAggBar>;
  readonly status: "OK";
  readonly request_id: string;
  readonly count: number;
}

/** First and last dates the demo feed produces bars for; outside them ranges are empty. */
export const DEMO_FEED_FIRST_DATE: IsoDate = "2000-01-03";
export const DEMO_FEED_LAST_DATE: IsoDate = "2099-12-31";
/** Longest `from`…`to` span the HTTP handler serves, in calendar days (five years). */
export const DEMO_FEED_MAX_RANGE_DAYS = 5 * 365 + 2;

const ANCHOR: IsoDate = "2020-01-02";
const MAX_CACHED_SYMBOLS = 256;

// --- Counter-based randomness -------------------------------------------------------------

function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** A mulberry32 stream keyed by (seed, index, stream): one key, always the same draws. */
class Draws {
  private state: number;
  constructor(seed: number, index: number, stream: number) {
    this.state = fmix32(seed ^ fmix32(Math.imul(index, 0x9e3779b1) ^ fmix32(stream + 0x632be5ab)));
  }
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }
}

// --- Trading-day index (0 = anchor, negative before it), extended on demand ---------------

const daysAfterAnchor: IsoDate[] = [ANCHOR];
const daysBeforeAnchor: IsoDate[] = [];
const indexByDate = new Map<IsoDate, number>([[ANCHOR, 0]]);

function tradingIndex(date: IsoDate): number | undefined {
  if (date < DEMO_FEED_FIRST_DATE || date > DEMO_FEED_LAST_DATE || !isTradingDay(date)) {
    return undefined;
  }
  for (let last = daysAfterAnchor.at(-1) ?? ANCHOR; last < date; ) {
    last = nextTradingDay(last);
    daysAfterAnchor.push(last);
    indexByDate.set(last, daysAfterAnchor.length - 1);
  }
  for (let first = daysBeforeAnchor.at(-1) ?? ANCHOR; first > date; ) {
    first = previousTradingDay(first);
    daysBeforeAnchor.push(first);
    indexByDate.set(first, -daysBeforeAnchor.length);
  }
  return indexByDate.get(date);
}

// --- Per-symbol walk ----------------------------------------------------------------------

interface Walk {
  readonly seed: number;
  readonly logStart: number;
  /** Trend drift of the log price per trading day near the anchor. */
  readonly drift: number;
  /** Baseline daily volatility of log returns (1–3 %). */
  readonly vol: number;
  readonly baseVolume: number;
  readonly tradeSize: number;
  /** Log closes at index 0, 1, 2, …  */
  readonly forward: number[];
  /** Log closes at index -1, -2, … */
  readonly backward: number[];
}

// Pulls prices back toward their trend (half-life ≈ 11 months) so decades of walking stay
// within a plausible band instead of drifting to pennies or to millions.
const MEAN_REVERSION = 0.003;
// The trend itself saturates about a decade from the anchor for the same reason.
const TREND_HORIZON_DAYS = 2520;
const MAX_DAILY_LOG_RETURN = 0.18;

const walks = new Map<string, Walk>();

function walkFor(symbol: string): Walk {
  const cached = walks.get(symbol);
  if (cached !== undefined) return cached;
  const seed = hashString(symbol, 0x5eed);
  const d = new Draws(seed, 0, 1);
  const walk: Walk = {
    seed,
    logStart: d.between(Math.log(20), Math.log(600)),
    drift: d.between(-0.04, 0.16) / 252,
    vol: d.between(0.01, 0.03),
    baseVolume: Math.exp(d.between(Math.log(3e6), Math.log(6e7))),
    tradeSize: d.between(60, 180),
    forward: [],
    backward: [],
  };
  walk.forward.push(walk.logStart);
  // A long-running Worker may be asked for arbitrary tickers: keep memory bounded.
  if (walks.size >= MAX_CACHED_SYMBOLS) {
    const oldest = walks.keys().next();
    if (oldest.done !== true) walks.delete(oldest.value);
  }
  walks.set(symbol, walk);
  return walk;
}

/** Volatility multiplier: a weekly regime, interpolated so it changes smoothly. */
function volRegime(walk: Walk, index: number): number {
  const week = Math.floor(index / 5);
  const frac = (index - week * 5) / 5;
  const a = new Draws(walk.seed, week, 2).normal();
  const b = new Draws(walk.seed, week + 1, 2).normal();
  return Math.exp(0.25 * (a * (1 - frac) + b * frac));
}

/** The random part of the log return of trading day `index` (fat-tailed, capped). */
function shock(walk: Walk, index: number): number {
  const d = new Draws(walk.seed, index, 0);
  const z = d.normal();
  const tail = d.uniform() < 0.01 ? 2.5 : 1;
  const r = walk.vol * volRegime(walk, index) * z * tail;
  return Math.max(-MAX_DAILY_LOG_RETURN, Math.min(MAX_DAILY_LOG_RETURN, r));
}

function trend(walk: Walk, index: number): number {
  return walk.logStart + walk.drift * TREND_HORIZON_DAYS * Math.tanh(index / TREND_HORIZON_DAYS);
}

function logClose(walk: Walk, index: number): number {
  const { forward, backward } = walk;
  while (index >= forward.length) {
    const i = forward.length;
    const prev = forward[i - 1] ?? walk.logStart;
    const trendStep = trend(walk, i) - trend(walk, i - 1);
    forward.push(prev + trendStep + MEAN_REVERSION * (trend(walk, i - 1) - prev) + shock(walk, i));
  }
  while (index < -backward.length) {
    const i = -backward.length - 1;
    const next = backward[-i - 2] ?? walk.logStart;
    // Stepping back undoes day i+1's drift and shock, but still reverts toward the trend:
    // inverting the forward recursion exactly would be explosive going backwards.
    const trendStep = trend(walk, i + 1) - trend(walk, i);
    backward.push(
      next - trendStep + MEAN_REVERSION * (trend(walk, i + 1) - next) - shock(walk, i + 1),
    );
  }
  return (index >= 0 ? forward[index] : backward[-index - 1]) ?? walk.logStart;
}

// --- Bars ---------------------------------------------------------------------------------

/** Polygon-style rounding: cents, or 4 decimals below $1; never 0. */
function roundPrice(p: number): number {
  const scale = p >= 1 ? 100 : 10_000;
  return Math.max(Math.round(p * scale) / scale, 0.0001);
}

/** The demo feed's daily bar of `symbol` on `date`, or `undefined` if NYSE was closed. */
export function demoDailyBar(symbol: string, date: IsoDate): PolygonAggBar | undefined {
  if (parseIsoDate(date) === undefined) return undefined;
  const index = tradingIndex(date);
  if (index === undefined) return undefined;
  const walk = walkFor(symbol);
  const prevLog = logClose(walk, index - 1);
  const closeLog = logClose(walk, index);
  const sigma = walk.vol * volRegime(walk, index);
  const shortSession = earlyClose(date) !== undefined;
  const d = new Draws(walk.seed, index, 3);

  const gap = Math.max(-0.1, Math.min(0.1, 0.3 * sigma * d.normal()));
  const span = 0.55 * sigma * (shortSession ? 0.6 : 1);
  const o = roundPrice(Math.exp(prevLog + gap));
  const c = roundPrice(Math.exp(closeLog));
  const h = Math.max(roundPrice(Math.max(o, c) * Math.exp(span * Math.abs(d.normal()))), o, c);
  const l = Math.min(roundPrice(Math.min(o, c) * Math.exp(-span * Math.abs(d.normal()))), o, c);
  const typical = (o + h + l + 2 * c) / 5 + 0.1 * (h - l) * d.normal();
  const vw = Math.min(h, Math.max(l, Math.round(typical * 10_000) / 10_000));

  // Volume rises with the size of the move relative to normal, and thins on half days.
  const moveInSigmas = Math.abs(closeLog - prevLog) / sigma;
  const moveFactor = 1 + 0.35 * Math.min(moveInSigmas * moveInSigmas, 16);
  const sessionFactor = shortSession ? 0.55 : 1;
  const v = Math.max(
    100,
    Math.round(walk.baseVolume * Math.exp(0.3 * d.normal()) * moveFactor * sessionFactor),
  );
  const n = Math.max(1, Math.round(v / (walk.tradeSize * Math.exp(0.1 * d.normal()))));
  return { v, vw, o, c, h, l, t: easternMidnightUtcMs(date), n };
}

/** Polygon's daily-aggregates response for `ticker` over `from`…`to` (inclusive). */
export function polygonAggsResponse(
  ticker: string,
  from: IsoDate,
  to: IsoDate,
  requestId: string,
): PolygonAggsResponse {
  const results: PolygonAggBar[] = [];
  for (const date of tradingDaysBetween(from, to)) {
    const bar = demoDailyBar(ticker, date);
    if (bar !== undefined) results.push(bar);
  }
  const count = results.length;
  return {
    ticker,
    queryCount: count,
    resultsCount: count,
    adjusted: true,
    ...(count > 0 ? { results } : {}),
    status: "OK",
    request_id: requestId,
    count,
  };
}

// --- HTTP ---------------------------------------------------------------------------------

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

function handleAggs(segments: ReadonlyArray<string>, requestId: string): Response {
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
  return json(200, polygonAggsResponse(ticker, from, to, requestId));
}

/**
 * Web-standard handler of the demo feed: `GET /v2/aggs/ticker/:ticker/range/1/day/:from/:to`
 * (Polygon's shape; an `apiKey` query parameter is accepted and ignored) and `GET /health`.
 */
export function handleDemoFeedRequest(request: Request): Response {
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
  if (match !== null) return handleAggs(match.slice(1), requestId);
  return json(404, { status: "NOT_FOUND", request_id: requestId, message: "Not found" });
}
