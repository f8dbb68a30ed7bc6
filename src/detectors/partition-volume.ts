/**
 * VolumeShift over a pipeline's own partitions: the rows a partition delivered against the
 * rows of the same scope on previous sessions, read from `core_manifest` (the latest
 * complete capture of each partition), so any partitioned pipeline gets it without a store
 * query of its own.
 */
import { Effect } from "effect";
import type { RunContext } from "../core/pipeline";
import { dbTry } from "../db/db";
import { type VolumeShiftConfig, volumeShiftDetector } from "./volume-shift";

/** One earlier partition of the same scope and its session time (epoch ms), oldest first. */
export interface EarlierPartition {
  readonly partition: string;
  readonly atMs: number;
}

/** Rows written by the latest complete capture of each partition. */
const deliveredRows = (ctx: RunContext, partitions: ReadonlyArray<string>) =>
  partitions.length === 0
    ? Effect.succeed(new Map<string, number>())
    : dbTry("core_manifest.deliveredRows", (_, client) =>
        client.execute({
          sql: `SELECT m.partition_key, m.row_count FROM json_each(?) j
JOIN core_manifest m ON m.partition_key = j.value
WHERE m.domain = ? AND m.stage = ? AND m.status = 'complete' AND m.row_count IS NOT NULL
ORDER BY m.partition_key, m.captured_at`,
          args: [JSON.stringify(partitions), ctx.domain, ctx.stage],
        }),
      ).pipe(
        // Ordered by capture time, so the last row of a partition wins.
        Effect.map(
          (r) => new Map(r.rows.map((row) => [String(row.partition_key), Number(row.row_count)])),
        ),
      );

/** VolumeShift of `rows` (this partition, at `atMs`) against the earlier partitions. */
export const partitionVolumeShift = (
  ctx: RunContext,
  series: string,
  earlier: ReadonlyArray<EarlierPartition>,
  atMs: number,
  rows: number,
  config?: Partial<VolumeShiftConfig>,
) =>
  Effect.gen(function* () {
    const counts = yield* deliveredRows(
      ctx,
      earlier.map((e) => e.partition),
    );
    const points = earlier.flatMap((e) => {
      const n = counts.get(e.partition);
      return n === undefined ? [] : [{ atMs: e.atMs, value: n }];
    });
    points.push({ atMs, value: rows });
    return yield* volumeShiftDetector.detect({ series, points, fromMs: atMs }, config);
  });
