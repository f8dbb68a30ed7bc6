/**
 * The detection of `market_quotes` for any run that writes quotes (a file or URL of IEX-style
 * quotes): per symbol and source, TimeGap between consecutive quotes of the run in NYSE
 * session time (60 minutes; nights, weekends and holidays are not gaps), and LatencyBreach of
 * each symbol's newest quote of the day, its age counted in session time (a Friday 15:59
 * quote read on Sunday is one minute old). VolumeShift is not run: a quote's volume is the
 * day's running total, which rises all session long.
 *
 * Memory: one timestamp per quote written (JSON sources are capped at 64 MiB). TimeGap looks
 * at the run's own quotes only: a snapshot taken once a day need not continue the stored
 * series.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { isTradingDay } from "../../calendar/nyse";
import { newYorkDate } from "../../calendar/sessions";
import { AppConfig } from "../../core/config/app-config";
import type { TableDetection } from "../../core/ingest/source";
import { latencyBreachDetector } from "../../detectors/latency-breach";
import { detectionStep, recordDetections } from "../../detectors/record";
import { sessionMsBetween, TIME_GAP_DEFAULTS, TimeGapTracker } from "../../detectors/time-gap";
import type { Detection } from "../../detectors/types";
import type { MarketData } from "./schema";

interface Observed {
  readonly symbol: string;
  readonly source: string;
  readonly times: Array<number>;
}

/** `market_quotes`: TimeGap and LatencyBreach over the quotes a run wrote. */
export const quoteTableDetection: TableDetection<MarketData> = {
  name: "market_quotes",
  rules: ["TIME_GAP", "LATENCY_BREACH"],
  description:
    "Per symbol and source, the run's quotes: TimeGap in NYSE session time, LatencyBreach of the newest quote of the day",
  open: (ctx) => {
    const series = new Map<string, Observed>();
    const observe = (quotes: ReadonlyArray<MarketData>) => {
      for (const q of quotes) {
        const key = `${q.symbol}\u0000${q.source}`;
        let s = series.get(key);
        if (s === undefined) {
          s = { symbol: q.symbol, source: q.source, times: [] };
          series.set(key, s);
        }
        s.times.push(Date.parse(q.timestamp));
      }
    };
    const finish = detectionStep(
      ctx,
      Effect.gen(function* () {
        const settings = (yield* AppConfig).detection;
        const nowMs = yield* Clock.currentTimeMillis;
        const today = newYorkDate(nowMs);
        const found: Array<Detection> = [];
        const newest = new Map<
          string,
          Array<{ dataAtMs: number; ingestedAtMs: number; latencyMs: number }>
        >();
        for (const s of series.values()) {
          const times = [...new Set(s.times)].sort((a, b) => a - b);
          const gaps = new TimeGapTracker(TIME_GAP_DEFAULTS, s.symbol);
          for (const t of times) {
            const gap = gaps.push(t);
            if (gap !== undefined) found.push(gap);
          }
          const last = times.at(-1);
          if (last !== undefined && newYorkDate(last) === today && isTradingDay(today)) {
            const list = newest.get(s.source) ?? [];
            list.push({
              dataAtMs: last,
              ingestedAtMs: nowMs,
              latencyMs: sessionMsBetween(last, nowMs),
            });
            newest.set(s.source, list);
          }
        }
        for (const [source, observations] of newest) {
          found.push(
            ...(yield* latencyBreachDetector.detect(
              { series: source, observations },
              { slaMinutes: settings.latencySlaMinutes },
            )),
          );
        }
        const symbols = new Set([...series.values()].map((s) => s.symbol));
        const sources = new Set([...series.values()].map((s) => s.source));
        const before = (key: string) => key.slice(0, key.indexOf("|"));
        const summary = yield* recordDetections(ctx, found, {
          TIME_GAP: (key) => symbols.has(before(key)),
          LATENCY_BREACH: (key) => sources.has(before(key)),
        });
        return { ...summary, series: series.size };
      }),
    );
    return { observe, finish: Effect.map(finish, (summary) => ({ ...summary })) };
  },
};
