/**
 * The detection step of `trade_data.ingest_trades`, after validation: VolumeShift of the
 * client's trade count against its previous sessions (robust, log scale), and — for the live
 * session only — LatencyBreach of the ingestion against the session's data availability.
 * Executions are an irregular event stream, so TimeGap (a regular-series rule) is not run on
 * them.
 */
import { Effect } from "effect";
import { addDays, easternMidnightUtcMs } from "../../calendar/dates";
import { tradingDaysBetween } from "../../calendar/nyse";
import type { RunContext } from "../../core/pipeline";
import { SourceConfig } from "../../core/source-config";
import { LATENCY_BREACH_DEFAULTS, latencyBreachDetector } from "../../detectors/latency-breach";
import { isLiveSession, sessionDataAvailableAtMs } from "../../detectors/live";
import { partitionVolumeShift } from "../../detectors/partition-volume";
import { detectionStep, recordDetections } from "../../detectors/record";
import { iso } from "../../detectors/types";
import { volumeShiftFromSettings } from "../../detectors/volume-shift";
import { formatTradePartition } from "./partition";

/** Runs the trade detectors for one client-day; never fails the run. */
export const detectTradeAnomalies = (
  ctx: RunContext,
  partition: { readonly date: string; readonly clientId: string },
  written: number,
  ingestedAtMs: number,
) =>
  detectionStep(
    ctx,
    Effect.gen(function* () {
      const { date, clientId } = partition;
      const settings = (yield* SourceConfig).detection;
      const volumeShift = volumeShiftFromSettings(settings);
      const window = volumeShift.window;
      const sessions = tradingDaysBetween(
        addDays(date, -Math.ceil(window * 1.6) - 14),
        addDays(date, -1),
      );
      const earlier = sessions.slice(-window).map((d) => ({
        partition: formatTradePartition(d, clientId),
        atMs: easternMidnightUtcMs(d),
      }));
      const atMs = easternMidnightUtcMs(date);
      const found = [
        ...(yield* partitionVolumeShift(
          ctx,
          `${clientId} trades`,
          earlier,
          atMs,
          written,
          volumeShift,
        )),
      ];
      const live = isLiveSession(date, ingestedAtMs);
      const availableAt = sessionDataAvailableAtMs(date);
      if (live && written > 0) {
        found.push(
          ...(yield* latencyBreachDetector.detect(
            { series: clientId, observations: [{ dataAtMs: availableAt, ingestedAtMs }] },
            { ...LATENCY_BREACH_DEFAULTS, slaMinutes: settings.latencySlaMinutes },
          )),
        );
      }
      return yield* recordDetections(ctx, found, {
        VOLUME_SHIFT: [`${clientId} trades|${iso(atMs)}`],
        MISSING_DATA: [ctx.partitionKey],
        ...(live ? { LATENCY_BREACH: [`${clientId}|${iso(availableAt)}`] } : {}),
      });
    }),
  );
