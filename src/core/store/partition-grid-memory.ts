/**
 * `PartitionGridTest`: the status page's reads over the in-memory `core_manifest` of
 * `StoreMemory`, walking dates the way the recursive queries do (a date's keys sort between
 * "D" and "D~"; keys not starting with a digit stay out), and counting each partition once
 * under the status of its latest capture as the triggers keep `core_partition_counts`.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { newestFirst } from "./manifest-rows";
import { type ManifestRow, memoryTry, orderBy, StoreMemory } from "./memory";
import {
  groupCounts,
  MAX_GRID_CELLS,
  NEWEST_BOUND,
  type PartitionCapture,
  PartitionGrid,
  toGridCell,
  toGridWindow,
  windowBound,
} from "./partition-grid";

/** The latest capture of each partition among `rows`. */
const latestPerPartition = (rows: ReadonlyArray<ManifestRow>) => {
  const latest = new Map<string, { row: ManifestRow; captures: number }>();
  for (const row of newestFirst(rows)) {
    const seen = latest.get(row.partitionKey);
    latest.set(row.partitionKey, { row: seen?.row ?? row, captures: (seen?.captures ?? 0) + 1 });
  }
  return latest;
};

/** The in-memory `PartitionGrid`. */
export const PartitionGridTest = Layer.effect(
  PartitionGrid,
  Effect.map(StoreMemory, (memory) => {
    const ofStage = (domain: string, stage: string) =>
      [...memory.manifest.values()].filter((r) => r.domain === domain && r.stage === stage);
    return PartitionGrid.make({
      window: (domain, stage, cursor, days) =>
        memoryTry(memory, "partitionGrid.window", () => {
          const keys = ofStage(domain, stage)
            .map((r) => r.partitionKey)
            .sort();
          const found: Array<string> = [];
          let bound = windowBound(cursor);
          while (found.length < days + 1) {
            const next =
              cursor.kind === "after"
                ? keys.find((k) => k >= `${bound}~` && k < NEWEST_BOUND)
                : keys.findLast((k) => k < bound);
            if (next === undefined) break;
            bound = next.slice(0, 10);
            found.push(bound);
          }
          return toGridWindow(found, cursor, days);
        }),
      cells: (domain, stage, oldest, newest) =>
        memoryTry(memory, "partitionGrid.cells", () => {
          const upper = `${newest}~`;
          const inRange = ofStage(domain, stage).filter(
            (r) => r.partitionKey >= oldest && r.partitionKey < upper,
          );
          const latest = [...latestPerPartition(inRange).values()];
          return orderBy(latest, [({ row }) => row.partitionKey, "desc"])
            .slice(0, MAX_GRID_CELLS)
            .map(({ row, captures }) =>
              toGridCell(
                row.partitionKey,
                row.status,
                row.captureId,
                `${row.capturedAt} ${row.captureId}`,
                captures,
              ),
            );
        }),
      statusCounts: memoryTry(memory, "partitionGrid.counts", () => {
        const counts = new Map<
          string,
          { domain: string; stage: string; status: string; partitions: number }
        >();
        const stages = new Map<string, Array<ManifestRow>>();
        for (const r of memory.manifest.values()) {
          const id = `${r.domain}\u0000${r.stage}`;
          const rows = stages.get(id);
          if (rows) rows.push(r);
          else stages.set(id, [r]);
        }
        for (const rows of stages.values()) {
          for (const { row } of latestPerPartition(rows).values()) {
            const id = `${row.domain}\u0000${row.stage}\u0000${row.status}`;
            const entry = counts.get(id) ?? {
              domain: row.domain,
              stage: row.stage,
              status: row.status,
              partitions: 0,
            };
            counts.set(id, { ...entry, partitions: entry.partitions + 1 });
          }
        }
        return groupCounts([...counts.values()]);
      }),
      captures: (domain, stage, partitionKey, limit) =>
        memoryTry(memory, "partitionGrid.captures", () =>
          newestFirst(ofStage(domain, stage).filter((r) => r.partitionKey === partitionKey))
            .slice(0, limit)
            .map(
              (r): PartitionCapture => ({
                capture_id: r.captureId,
                captured_at: r.capturedAt,
                status: r.status,
                row_count: r.rowCount,
                execution_id: r.executionId,
                batch_id: r.batchId,
                metadata: r.metadata ? (JSON.parse(r.metadata) as Record<string, unknown>) : {},
              }),
            ),
        ),
    });
  }),
);
