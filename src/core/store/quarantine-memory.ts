/**
 * `QuarantineTest`: the `Quarantine` store over the in-memory `core_quarantine` of
 * `StoreMemory`: same ids, same refresh of a record seen again, same sample order.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { memoryTry, orderBy, StoreMemory } from "./memory";
import { Quarantine, toQuarantineRows, toQuarantineView } from "./quarantine";

/** The in-memory `Quarantine`. */
export const QuarantineTest = Layer.effect(
  Quarantine,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.quarantine;
    return Quarantine.make({
      record: (ctx, records) =>
        records.length === 0
          ? Effect.succeed(0)
          : Effect.flatMap(toQuarantineRows(ctx, records), (fresh) =>
              memoryTry(memory, "quarantine.upsert", () => {
                for (const row of fresh) {
                  const old = rows.get(row.quarantineId);
                  rows.set(
                    row.quarantineId,
                    old
                      ? {
                          ...old,
                          reasons: row.reasons,
                          captureId: row.captureId,
                          executionId: row.executionId,
                          quarantinedAt: row.quarantinedAt,
                        }
                      : row,
                  );
                }
                return fresh.length;
              }),
            ),
      sample: (scope, limit) =>
        memoryTry(memory, "quarantine.sample", () => {
          const mine = [...rows.values()].filter(
            (r) =>
              r.domain === scope.domain &&
              r.stage === scope.stage &&
              r.partitionKey === scope.partitionKey,
          );
          const ordered = orderBy(mine, [(r) => r.recordIndex, "asc"], [(r) => r.source, "asc"]);
          return { total: mine.length, records: ordered.slice(0, limit).map(toQuarantineView) };
        }),
    });
  }),
);
