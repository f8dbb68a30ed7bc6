/**
 * The demo feed's price model: a mean-reverting geometric random walk per symbol, stepped over
 * NYSE trading days counted from a fixed anchor. Every random draw is keyed by (symbol,
 * trading-day index), so every (symbol, date) gets the same prices in every process.
 */
import type { IsoDate } from "../../calendar/dates";
import { isTradingDay, nextTradingDay, previousTradingDay } from "../../calendar/nyse";
import { Draws, hashString } from "./random";

/** First and last dates the demo feed produces bars for; outside them ranges are empty. */
export const DEMO_FEED_FIRST_DATE: IsoDate = "2000-01-03";
export const DEMO_FEED_LAST_DATE: IsoDate = "2099-12-31";

const ANCHOR: IsoDate = "2020-01-02";
const MAX_CACHED_SYMBOLS = 256;

// --- Trading-day index (0 = anchor, negative before it), extended on demand ---------------

const daysAfterAnchor: IsoDate[] = [ANCHOR];
const daysBeforeAnchor: IsoDate[] = [];
const indexByDate = new Map<IsoDate, number>([[ANCHOR, 0]]);

/** Index of `date` among trading days, or `undefined` outside the feed or on a closed day. */
export function tradingIndex(date: IsoDate): number | undefined {
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

/** A symbol's walk parameters and the log closes computed so far. */
export interface Walk {
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

/** The walk of `symbol`, created on first use (a bounded number are kept). */
export function walkFor(symbol: string): Walk {
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
export function volRegime(walk: Walk, index: number): number {
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

/** Log close of trading day `index`, extending the walk as far as needed. */
export function logClose(walk: Walk, index: number): number {
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
