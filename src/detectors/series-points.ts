/**
 * `core_series_points`: the per-period values a run observed (one trade count per client and
 * session, …), written after its rows, and read back as the history of later runs, whatever
 * path brings them.
 */
import * as Effect from "effect/Effect";
import type { RunContext } from "../core/model/run-context";
import { dbTry } from "../db/db";
import { coreSeriesPoints } from "../db/schema/series-points";
import { tableWriter } from "../db/table-writer";

/** One value of a series for one period. */
export interface SeriesPoint {
  readonly series: string;
  readonly period: string;
  readonly value: number;
}

const SERIES_POINTS = tableWriter(coreSeriesPoints, {
  target: (_: SeriesPoint, target: string) => target,
  series: (p) => p.series,
  period: (p) => p.period,
  value: (p) => p.value,
});

/** Upserts the points a run observed of `target`'s series. */
export const upsertSeriesPoints = (
  ctx: RunContext,
  target: string,
  points: ReadonlyArray<SeriesPoint>,
) => (points.length === 0 ? Effect.succeed(0) : SERIES_POINTS.write(points, target, ctx));

/**
 * The last `limit` points of each series strictly before its own `before` period, oldest
 * first, grouped by series.
 */
export const seriesHistory = (
  target: string,
  series: ReadonlyArray<{ readonly series: string; readonly before: string }>,
  limit: number,
) =>
  series.length === 0
    ? Effect.succeed(new Map<string, ReadonlyArray<SeriesPoint>>())
    : dbTry("core_series_points.history", (_, client) =>
        client.execute({
          sql: `SELECT series, period, value FROM (
  SELECT p.series, p.period, p.value,
    ROW_NUMBER() OVER (PARTITION BY p.series ORDER BY p.period DESC) AS rn
  FROM json_each(?) j
  JOIN core_series_points p ON p.target = ? AND p.series = j.value->>0 AND p.period < j.value->>1
) WHERE rn <= ? ORDER BY series, period`,
          args: [JSON.stringify(series.map((s) => [s.series, s.before])), target, limit],
        }),
      ).pipe(
        Effect.map((result) => {
          const bySeries = new Map<string, Array<SeriesPoint>>();
          for (const row of result.rows) {
            const point = {
              series: String(row.series),
              period: String(row.period),
              value: Number(row.value),
            };
            const list = bySeries.get(point.series) ?? [];
            list.push(point);
            bySeries.set(point.series, list);
          }
          return bySeries as Map<string, ReadonlyArray<SeriesPoint>>;
        }),
      );
