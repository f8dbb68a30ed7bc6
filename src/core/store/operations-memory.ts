/**
 * `OperationsTest`: the `Operations` store over the in-memory `core_operations` of
 * `StoreMemory`: a later report refreshes the progress of the same row.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { memoryTry, orderBy, StoreMemory } from "./memory";
import { Operations, progressColumns, toOperation, toOperationRow } from "./operations";

/** The in-memory `Operations`. */
export const OperationsTest = Layer.effect(
  Operations,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.operations;
    return Operations.make({
      report: (op) =>
        memoryTry(memory, "operations.report", () => {
          const row = toOperationRow(op);
          const old = rows.get(row.operationId);
          rows.set(row.operationId, old ? { ...old, ...progressColumns(row) } : row);
        }),
      list: (recent) =>
        memoryTry(memory, "operations.list", () => {
          const all = [...rows.values()];
          return {
            running: orderBy(
              all.filter((r) => r.status === "running"),
              [(r) => r.updatedAt, "asc"],
            ).map(toOperation),
            finished: orderBy(
              all.filter((r) => r.status !== "running"),
              [(r) => r.updatedAt, "desc"],
            )
              .slice(0, recent)
              .map(toOperation),
          };
        }),
    });
  }),
);
