/**
 * What the daily-bar detectors share, whichever run writes `market_prices`: their thresholds
 * (from the operator's settings) and the stored bars before a run's own, read as history.
 */
import * as Effect from "effect/Effect";
import type { DetectionSettings } from "../../core/config/app-config";
import { dbTry } from "../../db/db";
import { LATENCY_BREACH_DEFAULTS, type LatencyBreachConfig } from "../../detectors/latency-breach";
import { TIME_GAP_DEFAULTS } from "../../detectors/time-gap";
import {
  ROBUST_VOLUME_SHIFT,
  type VolumeShiftConfig,
  volumeShiftFromSettings,
} from "../../detectors/volume-shift";

/** Thresholds of the daily-bar detectors. */
export interface DailyBarDetection {
  readonly volumeShift: VolumeShiftConfig;
  readonly maxMissedSessions: number;
  readonly latency: LatencyBreachConfig;
}

/** Robust VolumeShift over the last 60 sessions (log volume), no missed session, 5 min SLA. */
export const DAILY_BAR_DETECTION: DailyBarDetection = {
  volumeShift: ROBUST_VOLUME_SHIFT,
  maxMissedSessions: TIME_GAP_DEFAULTS.maxMissedSessions,
  latency: LATENCY_BREACH_DEFAULTS,
};

/** The daily-bar thresholds of the operator's settings (`AppConfig.detection`). */
export const dailyBarDetection = (settings: DetectionSettings): DailyBarDetection => ({
  ...DAILY_BAR_DETECTION,
  volumeShift: volumeShiftFromSettings(settings),
  latency: { slaMinutes: settings.latencySlaMinutes },
});

/** Calendar days of stored bars to read so the baseline window is full (holidays included). */
export const lookbackDays = (config: DailyBarDetection): number =>
  Math.ceil(config.volumeShift.window * 1.6) + 14;

/** One stored bar, as history. */
export interface HistoryBar {
  readonly symbol: string;
  readonly source: string;
  readonly tradingDate: string;
  readonly barStart: string;
  readonly volume: number;
}

/** Which stored bars to read: one symbol of one source, trading dates in [from, before). */
export interface HistoryRequest {
  readonly symbol: string;
  readonly source: string;
  readonly from: string;
  readonly before: string;
}

/** The stored bars of each request, oldest first, by `symbol\u0000source`. */
export const barHistory = (requests: ReadonlyArray<HistoryRequest>) =>
  requests.length === 0
    ? Effect.succeed(new Map<string, ReadonlyArray<HistoryBar>>())
    : dbTry("market_prices.history", (_, client) =>
        client.execute({
          sql: `SELECT p.symbol, p.source, p.trading_date, p.bar_start, p.volume FROM json_each(?) j
JOIN market_prices p ON p.symbol = j.value->>0 AND p.source = j.value->>1
WHERE p.trading_date >= j.value->>2 AND p.trading_date < j.value->>3
ORDER BY p.symbol, p.source, p.trading_date`,
          args: [JSON.stringify(requests.map((r) => [r.symbol, r.source, r.from, r.before]))],
        }),
      ).pipe(
        Effect.map((result) => {
          const bySeries = new Map<string, Array<HistoryBar>>();
          for (const row of result.rows) {
            const bar: HistoryBar = {
              symbol: String(row.symbol),
              source: String(row.source),
              tradingDate: String(row.trading_date),
              barStart: String(row.bar_start),
              volume: Number(row.volume),
            };
            const key = `${bar.symbol}\u0000${bar.source}`;
            const list = bySeries.get(key) ?? [];
            list.push(bar);
            bySeries.set(key, list);
          }
          return bySeries as Map<string, ReadonlyArray<HistoryBar>>;
        }),
      );
