/**
 * The detection of `trades` for any run that writes executions (`trade_data.ingest_trades`, a
 * `dataspine ingest` of an execution file, a backfill): VolumeShift of each client's trade
 * count per New York session against its earlier sessions, and LatencyBreach for a session
 * ingested on its own evening (the live session). Executions are an irregular event stream,
 * so TimeGap (a regular-series rule) is not run on them.
 *
 * Memory: a count per client and session, never the trades — a 1 GiB file of one client-day
 * keeps one number. The counts are kept in `core_series_points` (`trades` has no index by
 * client and time, and a big file must not be counted again), which is the history later
 * runs read, whatever path brought them.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { easternMidnightUtcMs } from "../../calendar/dates";
import { newYorkDateOfIso } from "../../calendar/sessions";
import { AppConfig } from "../../core/config/app-config";
import type { TableDetection } from "../../core/ingest/source";
import { LATENCY_BREACH_DEFAULTS, latencyBreachDetector } from "../../detectors/latency-breach";
import { isLiveSession, sessionDataAvailableAtMs } from "../../detectors/live";
import { detectionStep, recordDetections } from "../../detectors/record";
import { seriesHistory, upsertSeriesPoints } from "../../detectors/series-points";
import { type Detection, iso } from "../../detectors/types";
import { volumeShiftDetector, volumeShiftFromSettings } from "../../detectors/volume-shift";
import type { TradeData } from "./schema";

const TARGET = "trades";

/** The VolumeShift series and key of a client's session count. */
const seriesOf = (clientId: string) => `${clientId} trades`;

/** `trades`: trade count per client and session (VolumeShift), live-session latency. */
export const tradeTableDetection: TableDetection<TradeData> = {
  name: TARGET,
  rules: ["VOLUME_SHIFT", "LATENCY_BREACH"],
  description:
    "Per client, trades per New York session against earlier sessions (VolumeShift); a live session ingested late (LatencyBreach)",
  open: (ctx, env) => {
    /** client → session date → trades written. */
    const counts = new Map<string, Map<string, number>>();
    // A partition `date|client` expects that client-day: it is a point even with no trade.
    const { date, scope } = env.hints;
    if (date !== undefined && scope !== undefined) counts.set(scope, new Map([[date, 0]]));
    let lastClient: string | undefined;
    let lastDays: Map<string, number> | undefined;
    const observe = (trades: ReadonlyArray<TradeData>) => {
      for (const t of trades) {
        if (t.client_id !== lastClient || lastDays === undefined) {
          lastClient = t.client_id;
          lastDays = counts.get(t.client_id);
          if (lastDays === undefined) {
            lastDays = new Map();
            counts.set(t.client_id, lastDays);
          }
        }
        const day = newYorkDateOfIso(t.timestamp);
        lastDays.set(day, (lastDays.get(day) ?? 0) + 1);
      }
    };
    const finish = detectionStep(
      ctx,
      Effect.gen(function* () {
        const settings = (yield* AppConfig).detection;
        const volumeShift = volumeShiftFromSettings(settings);
        const ingestedAtMs = yield* Clock.currentTimeMillis;
        const clients = [...counts.entries()].map(([clientId, days]) => ({
          clientId,
          days: [...days.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        }));
        const history = yield* seriesHistory(
          TARGET,
          clients.flatMap((c) =>
            c.days[0] === undefined ? [] : [{ series: c.clientId, before: c.days[0][0] }],
          ),
          volumeShift.window,
        );
        yield* upsertSeriesPoints(
          ctx,
          TARGET,
          clients.flatMap((c) =>
            c.days.map(([period, value]) => ({ series: c.clientId, period, value })),
          ),
        );
        const found: Array<Detection> = [];
        const checked: Array<string> = [];
        const liveKeys: Array<string> = [];
        for (const { clientId, days } of clients) {
          const first = days[0];
          if (first === undefined) continue;
          const past = history.get(clientId) ?? [];
          found.push(
            ...(yield* volumeShiftDetector.detect(
              {
                series: seriesOf(clientId),
                points: [
                  ...past.map((p) => ({ atMs: easternMidnightUtcMs(p.period), value: p.value })),
                  ...days.map(([d, n]) => ({ atMs: easternMidnightUtcMs(d), value: n })),
                ],
                fromMs: easternMidnightUtcMs(first[0]),
              },
              volumeShift,
            )),
          );
          for (const [day, n] of days) {
            checked.push(`${seriesOf(clientId)}|${iso(easternMidnightUtcMs(day))}`);
            if (n === 0 || !isLiveSession(day, ingestedAtMs)) continue;
            const dataAtMs = sessionDataAvailableAtMs(day);
            liveKeys.push(`${clientId}|${iso(dataAtMs)}`);
            found.push(
              ...(yield* latencyBreachDetector.detect(
                { series: clientId, observations: [{ dataAtMs, ingestedAtMs }] },
                { ...LATENCY_BREACH_DEFAULTS, slaMinutes: settings.latencySlaMinutes },
              )),
            );
          }
        }
        const summary = yield* recordDetections(ctx, found, {
          VOLUME_SHIFT: checked,
          LATENCY_BREACH: liveKeys,
        });
        return { ...summary, series: clients.length };
      }),
    );
    return { observe, finish: Effect.map(finish, (summary) => ({ ...summary })) };
  },
};
