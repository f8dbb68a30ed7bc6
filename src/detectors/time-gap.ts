/**
 * TimeGap: the gap between consecutive timestamps of a series is over a threshold.
 *
 * - `intraday` (default 60 minutes): with `calendar: "nyse"` only time inside NYSE regular
 *   sessions counts (09:30–16:00 New York, 13:00 on early closes), so nights, weekends and
 *   holidays are never gaps; with `calendar: "none"` wall-clock time counts.
 * - `daily` bars: the gap is counted in NYSE sessions; a bar that follows its predecessor
 *   by more than `maxMissedSessions` + 1 sessions means sessions were skipped.
 *
 * Online: one timestamp of state per series.
 */
import * as Effect from "effect/Effect";
import { easternMidnightUtcMs } from "../calendar/dates";
import { earlyClose, tradingDaysBetween } from "../calendar/nyse";
import { newYorkDate } from "../calendar/sessions";
import { type Detection, type DetectorDefinition, iso, severityOf } from "./types";

export interface TimeGapConfig {
  readonly mode: "intraday" | "daily";
  /** `intraday`: largest gap allowed, in minutes. Default 60. */
  readonly maxGapMinutes: number;
  /** `intraday`: which time counts. Default `nyse` (regular sessions only). */
  readonly calendar: "nyse" | "none";
  /** `daily`: sessions that may be missing between two bars. Default 0. */
  readonly maxMissedSessions: number;
}

export const TIME_GAP_DEFAULTS: TimeGapConfig = {
  mode: "intraday",
  maxGapMinutes: 60,
  calendar: "nyse",
  maxMissedSessions: 0,
};

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Regular-session milliseconds of NYSE between two instants. */
export const sessionMsBetween = (fromMs: number, toMs: number): number => {
  if (toMs <= fromMs) return 0;
  let total = 0;
  for (const date of tradingDaysBetween(newYorkDate(fromMs), newYorkDate(toMs))) {
    const midnight = easternMidnightUtcMs(date);
    const open = midnight + 9.5 * HOUR_MS;
    const close = midnight + (earlyClose(date) ? 13 : 16) * HOUR_MS;
    total += Math.max(0, Math.min(close, toMs) - Math.max(open, fromMs));
  }
  return total;
};

/** One series' TimeGap state: feed it timestamps in order. */
export class TimeGapTracker {
  #previous: number | undefined;
  constructor(
    readonly config: TimeGapConfig,
    readonly series: string,
  ) {}

  /** The detection for the gap ending at `atMs`, if it is one. */
  push(atMs: number): Detection | undefined {
    const previous = this.#previous;
    if (previous === undefined || atMs > previous) this.#previous = atMs;
    if (previous === undefined || atMs <= previous) return undefined;
    const c = this.config;
    if (c.mode === "daily") {
      const from = newYorkDate(previous);
      const to = newYorkDate(atMs);
      const missed = Math.max(0, tradingDaysBetween(from, to).length - 2);
      if (missed <= c.maxMissedSessions) return undefined;
      return {
        rule: "TIME_GAP",
        severity: severityOf(missed / (c.maxMissedSessions + 1)),
        key: `${this.series}|${to}`,
        message: `Time gap detected: ${this.series} has ${missed} trading session(s) missing between ${from} and ${to}`,
        context: { series: this.series, previous: from, current: to, missed_sessions: missed },
        observedAt: iso(atMs),
      };
    }
    const gapMs = c.calendar === "nyse" ? sessionMsBetween(previous, atMs) : atMs - previous;
    const gapMinutes = gapMs / MINUTE_MS;
    if (gapMinutes <= c.maxGapMinutes) return undefined;
    return {
      rule: "TIME_GAP",
      severity: severityOf(gapMinutes / c.maxGapMinutes),
      key: `${this.series}|${iso(previous)}`,
      message: `Time gap detected: ${this.series} ${Math.round(gapMinutes)} minutes between ${iso(previous)} and ${iso(atMs)}`,
      context: {
        series: this.series,
        previous: iso(previous),
        current: iso(atMs),
        gap_minutes: Math.round(gapMinutes * 100) / 100,
        threshold_minutes: c.maxGapMinutes,
        calendar: c.calendar,
      },
      observedAt: iso(atMs),
    };
  }
}

/** Input: one series' timestamps (epoch ms), in order. */
export interface TimeGapInput {
  readonly series: string;
  readonly timestamps: ReadonlyArray<number>;
}

export const timeGapDetector: DetectorDefinition<TimeGapInput, TimeGapConfig> = {
  name: "TIME_GAP",
  description:
    "Gap between consecutive timestamps over a threshold (60 min intraday, NYSE sessions for daily bars)",
  defaults: TIME_GAP_DEFAULTS,
  detect: (input, config) =>
    Effect.sync(() => {
      const tracker = new TimeGapTracker({ ...TIME_GAP_DEFAULTS, ...config }, input.series);
      const found: Array<Detection> = [];
      for (const t of input.timestamps) {
        const d = tracker.push(t);
        if (d) found.push(d);
      }
      return found;
    }),
};
