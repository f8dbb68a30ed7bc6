/**
 * `ReadinessTest`: the `Readiness` store over the in-memory `core_data_readiness` of
 * `StoreMemory`: same key (domain, stage, partition, week ending), latest check wins.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { keyOf, memoryTry, orderBy, StoreMemory } from "./memory";
import { Readiness, toReadiness, toReadinessRow } from "./readiness";

/** The in-memory `Readiness`. */
export const ReadinessTest = Layer.effect(
  Readiness,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.readiness;
    return Readiness.make({
      mark: (entry) =>
        memoryTry(memory, "readiness.mark", () => {
          const row = toReadinessRow(entry);
          rows.set(keyOf(row.domain, row.stage, row.partitionKey, row.weekEnding), row);
        }),
      isReady: (domain, stage, partitionKey) =>
        memoryTry(memory, "readiness.get", () => {
          const mine = [...rows.values()].filter(
            (r) => r.domain === domain && r.stage === stage && r.partitionKey === partitionKey,
          );
          return mine.length > 0 && mine.every((r) => r.isReady === 1);
        }),
      list: (filter) =>
        memoryTry(memory, "readiness.list", () =>
          orderBy(
            [...rows.values()].filter(
              (r) =>
                (filter.domain === undefined || r.domain === filter.domain) &&
                (filter.weekEnding === undefined || r.weekEnding === filter.weekEnding),
            ),
            [(r) => r.weekEnding, "asc"],
            [(r) => r.domain, "asc"],
            [(r) => r.stage, "asc"],
            [(r) => r.partitionKey, "asc"],
          )
            .slice(0, filter.limit ?? 500)
            .map(toReadiness),
        ),
    });
  }),
);
