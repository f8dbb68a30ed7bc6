/**
 * `CalcDependenciesTest`: the `CalcDependencies` store over the in-memory
 * `core_calc_dependencies` of `StoreMemory`, one entry per edge.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { CalcDependencies, edgeChanges, edgeKey } from "./calc-dependencies";
import { memoryTry, StoreMemory } from "./memory";

/** The in-memory `CalcDependencies`. */
export const CalcDependenciesTest = Layer.effect(
  CalcDependencies,
  Effect.map(StoreMemory, (memory) => {
    const edges = memory.calcDependencies;
    const list = memoryTry(memory, "calcDependencies.list", () => [...edges.values()]);
    return CalcDependencies.make({
      list,
      sync: (declared) =>
        Effect.flatMap(list, (stored) => {
          const { add, remove } = edgeChanges(stored, declared);
          if (add.length === 0 && remove.length === 0) return Effect.void;
          return memoryTry(memory, "calcDependencies.sync", () => {
            for (const e of remove) edges.delete(edgeKey(e));
            for (const e of add) edges.set(edgeKey(e), e);
          });
        }),
    });
  }),
);
