/**
 * The detection step of `market_data.ingest_prices`, after validation: per symbol,
 * VolumeShift of the day's volume against the symbol's previous bars, TimeGap in NYSE
 * sessions since its previous bar, and — for the live session only — LatencyBreach of the
 * ingestion against the session's data availability; a universe symbol without a valid bar
 * on the (trading) day is MissingData. Anomalies the step no longer finds for this partition
 * are resolved, and so is the cron's MissingData alert of the whole partition.
 */
import * as Effect from "effect/Effect";
import { addDays } from "../../calendar/dates";
import { tradingDaysBetween } from "../../calendar/nyse";
import { AppConfig } from "../../core/config/app-config";
import type { RunContext } from "../../core/model/run-context";
import { dbTry } from "../../db/db";
import { latencyBreachDetector } from "../../detectors/latency-breach";
import { isLiveSession, sessionDataAvailableAtMs } from "../../detectors/live";
import { detectionStep, recordDetections } from "../../detectors/record";
import { timeGapDetector } from "../../detectors/time-gap";
import { type Detection, iso } from "../../detectors/types";
import { volumeShiftDetector } from "../../detectors/volume-shift";
import {
  barHistory,
  type DailyBarDetection,
  dailyBarDetection,
  type HistoryBar,
  lookbackDays,
} from "./bar-history";
import { formatPartition } from "./partition";
import type { DailyBar } from "./schema";

/** Which of these partitions of the run's pipeline have a complete capture. */
const completedPartitions = (ctx: RunContext, partitions: ReadonlyArray<string>) =>
  partitions.length === 0
    ? Effect.succeed(new Set<string>())
    : dbTry("core_manifest.completed", (_, client) =>
        client.execute({
          sql: `SELECT DISTINCT m.partition_key FROM json_each(?) j
JOIN core_manifest m ON m.partition_key = j.value
WHERE m.domain = ? AND m.stage = ? AND m.status = 'complete'`,
          args: [JSON.stringify(partitions), ctx.domain, ctx.stage],
        }),
      ).pipe(Effect.map((r) => new Set(r.rows.map((row) => String(row.partition_key)))));

/** Runs the daily-bar detectors over the day's valid bars; never fails the run. */
export const detectDailyBarAnomalies = (
  ctx: RunContext,
  partition: {
    readonly date: string;
    readonly universe: string;
    readonly symbols: ReadonlyArray<string>;
  },
  bars: ReadonlyArray<DailyBar>,
  ingestedAtMs: number,
  override?: DailyBarDetection,
) =>
  detectionStep(
    ctx,
    Effect.gen(function* () {
      const config = override ?? dailyBarDetection((yield* AppConfig).detection);
      const { date, universe } = partition;
      const from = addDays(date, -lookbackDays(config));
      const past = yield* barHistory(
        bars.map((b) => ({ symbol: b.symbol, source: b.source, from, before: date })),
      );
      const bySymbol = new Map<string, ReadonlyArray<HistoryBar>>();
      for (const bar of bars) {
        bySymbol.set(bar.symbol, past.get(`${bar.symbol}\u0000${bar.source}`) ?? []);
      }

      // Sessions between a symbol's previous bar and today count as gaps only when their
      // partitions were ingested (complete) and still had no bar for it; sessions not yet
      // ingested are MissingData's business, so ingestion order cannot fake a gap.
      const skipped = new Map<string, ReadonlyArray<string>>();
      for (const bar of bars) {
        const previous = bySymbol.get(bar.symbol)?.at(-1);
        if (previous === undefined) continue;
        skipped.set(
          bar.symbol,
          tradingDaysBetween(addDays(previous.tradingDate, 1), addDays(date, -1)),
        );
      }
      const complete = yield* completedPartitions(
        ctx,
        [...new Set([...skipped.values()].flat())].map((d) => formatPartition(d, universe)),
      );

      const found: Array<Detection> = [];
      for (const bar of bars) {
        const atMs = Date.parse(bar.bar_start);
        const rows = bySymbol.get(bar.symbol) ?? [];
        const points = [
          ...rows.map((r) => ({ atMs: Date.parse(r.barStart), value: r.volume })),
          { atMs, value: bar.volume },
        ];
        found.push(
          ...(yield* volumeShiftDetector.detect(
            { series: bar.symbol, points, fromMs: atMs },
            config.volumeShift,
          )),
        );
        const missing = skipped.get(bar.symbol) ?? [];
        const previous = rows.at(-1);
        if (
          previous !== undefined &&
          missing.length > 0 &&
          missing.every((d) => complete.has(formatPartition(d, universe)))
        ) {
          found.push(
            ...(yield* timeGapDetector.detect(
              { series: bar.symbol, timestamps: [Date.parse(previous.barStart), atMs] },
              { mode: "daily", maxMissedSessions: config.maxMissedSessions },
            )),
          );
        }
      }

      const live = isLiveSession(date, ingestedAtMs);
      const availableAt = sessionDataAvailableAtMs(date);
      const withBar = new Set(bars.map((b) => b.symbol));
      for (const symbol of partition.symbols) {
        if (withBar.has(symbol)) continue;
        found.push({
          rule: "MISSING_DATA",
          severity: "HIGH",
          key: `${symbol}|${date}`,
          message: `Missing data: expected a valid daily bar for ${symbol} on ${date} (NYSE session), none received`,
          context: { series: symbol, date, universe, expected_at: iso(availableAt) },
          observedAt: iso(availableAt),
        });
      }
      if (live && bars.length > 0) {
        found.push(
          ...(yield* latencyBreachDetector.detect(
            {
              series: universe,
              observations: bars.map(() => ({ dataAtMs: availableAt, ingestedAtMs })),
            },
            config.latency,
          )),
        );
      }
      return yield* recordDetections(ctx, found, {
        VOLUME_SHIFT: bars.map((b) => `${b.symbol}|${iso(Date.parse(b.bar_start))}`),
        TIME_GAP: bars.map((b) => `${b.symbol}|${date}`),
        MISSING_DATA: [...partition.symbols.map((sym) => `${sym}|${date}`), ctx.partitionKey],
        ...(live ? { LATENCY_BREACH: [`${universe}|${iso(availableAt)}`] } : {}),
      });
    }),
  );
