/**
 * The detection of `finra_otc_transparency_venue_volume` for any run that writes it (a
 * `finra_otc_weekly` file, `normalize_week`, a backfill of either): VolumeShift of each tier's
 * total weekly share volume against its earlier weeks. A file that lost half its venues, or a
 * week published twice over, moves that total; a single symbol's week does not (thousands of
 * noisy series; the six-week rolling averages are the analysts' view of those). TimeGap is the
 * history gate's business (`validators.ts`), and weekly files have no latency SLA.
 *
 * Memory: the (tier, week) pairs a run wrote. Each week's total is summed in the table (so an
 * upsert that replaced rows counts once) and kept in `core_series_points`: the history of
 * later runs, without summing a year of weeks again.
 */
import * as Effect from "effect/Effect";
import { easternMidnightUtcMs } from "../../calendar/dates";
import { AppConfig } from "../../core/config/app-config";
import type { TableDetection } from "../../core/ingest/source";
import { dbTry } from "../../db/db";
import { detectionStep, recordDetections } from "../../detectors/record";
import { seriesHistory, upsertSeriesPoints } from "../../detectors/series-points";
import { type Detection, iso } from "../../detectors/types";
import { volumeShiftDetector, volumeShiftFromSettings } from "../../detectors/volume-shift";
import type { FinraVenueVolume } from "./schema";

const TARGET = "finra_otc_transparency_venue_volume";

/** The VolumeShift series of a tier. */
const seriesOf = (tier: string) => `${tier} weekly shares`;

/** Total shares of each (tier, week) pair, summed over the stored rows. */
const weeklyTotals = (pairs: ReadonlyArray<readonly [string, string]>) =>
  dbTry("finra_otc_venue_volume.weeklyTotals", (_, client) =>
    client.execute({
      sql: `SELECT v.tier, v.week_ending, SUM(v.total_weekly_share_quantity) AS shares
FROM json_each(?) j
JOIN ${TARGET} v ON v.week_ending = j.value->>1 AND v.tier = j.value->>0
GROUP BY v.tier, v.week_ending ORDER BY v.tier, v.week_ending`,
      args: [JSON.stringify(pairs)],
    }),
  ).pipe(
    Effect.map((r) =>
      r.rows.map((row) => ({
        series: String(row.tier),
        period: String(row.week_ending),
        value: Number(row.shares),
      })),
    ),
  );

/** `finra_otc_transparency_venue_volume`: VolumeShift of each tier's weekly share volume. */
export const venueVolumeTableDetection: TableDetection<FinraVenueVolume> = {
  name: TARGET,
  rules: ["VOLUME_SHIFT"],
  description: "Per tier, total weekly share volume against earlier weeks (VolumeShift)",
  open: (ctx) => {
    const pairs = new Map<string, readonly [string, string]>();
    const observe = (rows: ReadonlyArray<FinraVenueVolume>) => {
      for (const r of rows) {
        const key = `${r.tier}|${r.week_ending}`;
        if (!pairs.has(key)) pairs.set(key, [r.tier, r.week_ending]);
      }
    };
    const finish = detectionStep(
      ctx,
      Effect.gen(function* () {
        const volumeShift = volumeShiftFromSettings((yield* AppConfig).detection);
        const totals = pairs.size === 0 ? [] : yield* weeklyTotals([...pairs.values()]);
        const tiers = [...new Set(totals.map((t) => t.series))];
        const history = yield* seriesHistory(
          TARGET,
          tiers.map((tier) => ({
            series: tier,
            before: totals.find((t) => t.series === tier)?.period ?? "",
          })),
          volumeShift.window,
        );
        yield* upsertSeriesPoints(ctx, TARGET, totals);
        const found: Array<Detection> = [];
        for (const tier of tiers) {
          const weeks = totals.filter((t) => t.series === tier);
          const first = weeks[0];
          if (first === undefined) continue;
          found.push(
            ...(yield* volumeShiftDetector.detect(
              {
                series: seriesOf(tier),
                points: [...(history.get(tier) ?? []), ...weeks].map((p) => ({
                  atMs: easternMidnightUtcMs(p.period),
                  value: p.value,
                })),
                fromMs: easternMidnightUtcMs(first.period),
              },
              volumeShift,
            )),
          );
        }
        const summary = yield* recordDetections(ctx, found, {
          VOLUME_SHIFT: totals.map(
            (t) => `${seriesOf(t.series)}|${iso(easternMidnightUtcMs(t.period))}`,
          ),
        });
        return { ...summary, series: tiers.length };
      }),
    );
    return { observe, finish: Effect.map(finish, (summary) => ({ ...summary })) };
  },
};
