/**
 * Daily bars of the demo feed, drawn around the random walk's closes, and the Polygon
 * daily-aggregates response built from them.
 */
import { easternMidnightUtcMs, type IsoDate, parseIsoDate } from "../../calendar/dates";
import { earlyClose, tradingDaysBetween } from "../../calendar/nyse";
import { applyDemoAnomalies, type DemoAnomaly } from "./anomalies";
import type { PolygonAggBar, PolygonAggsResponse } from "./polygon-format";
import { Draws } from "./random";
import { logClose, tradingIndex, volRegime, walkFor } from "./walk";

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

/**
 * Polygon's daily-aggregates response for `ticker` over `from`…`to` (inclusive), with any
 * injected `anomalies` applied.
 */
export function polygonAggsResponse(
  ticker: string,
  from: IsoDate,
  to: IsoDate,
  requestId: string,
  anomalies: ReadonlyArray<DemoAnomaly> = [],
): PolygonAggsResponse {
  const results: PolygonAggBar[] = [];
  for (const date of tradingDaysBetween(from, to)) {
    const clean = demoDailyBar(ticker, date);
    const bar =
      clean === undefined ? undefined : applyDemoAnomalies(clean, ticker, date, anomalies);
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
