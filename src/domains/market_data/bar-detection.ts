/**
 * The detection of `market_prices` for any run that writes daily bars (a file or URL of Alpha
 * Vantage or Polygon bars): per symbol and source, the run's bars in date order after the
 * stored bars before the first of them — VolumeShift of the volume, online, and TimeGap in
 * NYSE sessions between consecutive bars — and LatencyBreach for bars of the live session.
 * `market_data.ingest_prices` runs its own, partition-aware step (`detection.ts`).
 *
 * Memory: a date and a volume per bar written (JSON sources are capped at 64 MiB), never the
 * bars themselves.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { addDays, easternMidnightUtcMs } from "../../calendar/dates";
import { AppConfig } from "../../core/config/app-config";
import type { TableDetection } from "../../core/ingest/source";
import { latencyBreachDetector } from "../../detectors/latency-breach";
import { isLiveSession, sessionDataAvailableAtMs } from "../../detectors/live";
import { detectionStep, recordDetections } from "../../detectors/record";
import { TIME_GAP_DEFAULTS, TimeGapTracker } from "../../detectors/time-gap";
import { type Detection, iso } from "../../detectors/types";
import { volumeShiftDetector } from "../../detectors/volume-shift";
import { barHistory, dailyBarDetection, lookbackDays } from "./bar-history";
import type { DailyBar } from "./schema";

/** What a run keeps of one series: each bar's date and volume, in write order. */
interface Observed {
  readonly symbol: string;
  readonly source: string;
  readonly dates: Array<string>;
  readonly volumes: Array<number>;
}

/** The series' bars by date (a date written twice keeps its last volume), oldest first. */
const ordered = (s: Observed) => {
  const last = new Map<string, number>();
  s.dates.forEach((date, i) => {
    last.set(date, s.volumes[i] ?? 0);
  });
  return [...last.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, volume]) => ({ date, atMs: easternMidnightUtcMs(date), volume }));
};

/** `market_prices`: VolumeShift, TimeGap, LatencyBreach over the bars a run wrote. */
export const dailyBarTableDetection: TableDetection<DailyBar> = {
  name: "market_prices",
  rules: ["VOLUME_SHIFT", "TIME_GAP", "LATENCY_BREACH"],
  description:
    "Per symbol and source, the run's bars after the stored ones: VolumeShift (volume), TimeGap (NYSE sessions), LatencyBreach (live session)",
  open: (ctx) => {
    const series = new Map<string, Observed>();
    const observe = (bars: ReadonlyArray<DailyBar>) => {
      for (const bar of bars) {
        const key = `${bar.symbol}\u0000${bar.source}`;
        let s = series.get(key);
        if (s === undefined) {
          s = { symbol: bar.symbol, source: bar.source, dates: [], volumes: [] };
          series.set(key, s);
        }
        s.dates.push(bar.trading_date);
        s.volumes.push(bar.volume);
      }
    };
    const finish = detectionStep(
      ctx,
      Effect.gen(function* () {
        const config = dailyBarDetection((yield* AppConfig).detection);
        const ingestedAtMs = yield* Clock.currentTimeMillis;
        const runs = [...series.values()].map((s) => ({ ...s, bars: ordered(s) }));
        const history = yield* barHistory(
          runs.flatMap((s) => {
            const first = s.bars[0]?.date;
            return first === undefined
              ? []
              : [
                  {
                    symbol: s.symbol,
                    source: s.source,
                    from: addDays(first, -lookbackDays(config)),
                    before: first,
                  },
                ];
          }),
        );
        const found: Array<Detection> = [];
        const live = new Map<string, Array<{ dataAtMs: number; ingestedAtMs: number }>>();
        const liveKeys: Array<string> = [];
        for (const s of runs) {
          const past = history.get(`${s.symbol}\u0000${s.source}`) ?? [];
          const fromMs = s.bars[0]?.atMs;
          found.push(
            ...(yield* volumeShiftDetector.detect(
              {
                series: s.symbol,
                points: [
                  ...past.map((p) => ({ atMs: Date.parse(p.barStart), value: p.volume })),
                  ...s.bars.map((b) => ({ atMs: b.atMs, value: b.volume })),
                ],
                ...(fromMs === undefined ? {} : { fromMs }),
              },
              config.volumeShift,
            )),
          );
          const gaps = new TimeGapTracker(
            { ...TIME_GAP_DEFAULTS, mode: "daily", maxMissedSessions: config.maxMissedSessions },
            s.symbol,
          );
          const previous = past.at(-1);
          if (previous !== undefined) gaps.push(Date.parse(previous.barStart));
          for (const b of s.bars) {
            const gap = gaps.push(b.atMs);
            if (gap !== undefined) found.push(gap);
            if (isLiveSession(b.date, ingestedAtMs)) {
              const dataAtMs = sessionDataAvailableAtMs(b.date);
              const list = live.get(s.source) ?? [];
              list.push({ dataAtMs, ingestedAtMs });
              live.set(s.source, list);
              liveKeys.push(`${s.source}|${iso(dataAtMs)}`);
            }
          }
        }
        for (const [source, observations] of live) {
          found.push(
            ...(yield* latencyBreachDetector.detect(
              { series: source, observations },
              config.latency,
            )),
          );
        }
        const symbols = new Set(runs.map((s) => s.symbol));
        const ofRun = (key: string) => symbols.has(key.slice(0, key.indexOf("|")));
        const summary = yield* recordDetections(ctx, found, {
          VOLUME_SHIFT: ofRun,
          TIME_GAP: ofRun,
          LATENCY_BREACH: liveKeys,
        });
        return { ...summary, series: runs.length };
      }),
    );
    return { observe, finish: Effect.map(finish, (summary) => ({ ...summary })) };
  },
};
