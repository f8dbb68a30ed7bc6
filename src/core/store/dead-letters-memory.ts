/**
 * `DeadLettersTest`: the `DeadLetters` store over the in-memory `core_dead_letters` of
 * `StoreMemory`: same ids, refresh on the same failure, filters and order.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import {
  DeadLetters,
  deadLetterId,
  refreshedColumns,
  toDeadLetterRow,
  toDeadLetterView,
} from "./dead-letters";
import { memoryTry, orderBy, StoreMemory } from "./memory";

/** The in-memory `DeadLetters`. */
export const DeadLettersTest = Layer.effect(
  DeadLetters,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.deadLetters;
    return DeadLetters.make({
      record: (input) =>
        Effect.flatMap(deadLetterId(input), (id) =>
          memoryTry(memory, "deadLetters.record", () => {
            const row = toDeadLetterRow(id, input);
            const old = rows.get(id);
            rows.set(id, old ? { ...old, ...refreshedColumns(row) } : row);
            return id;
          }),
        ),
      list: (filter) =>
        memoryTry(memory, "deadLetters.list", () =>
          orderBy(
            [...rows.values()].filter((r) => !filter.status || r.status === filter.status),
            [(r) => r.updatedAt, "desc"],
          )
            .slice(0, filter.limit ?? 100)
            .map(toDeadLetterView),
        ),
      get: (id) =>
        memoryTry(memory, "deadLetters.get", () => {
          const row = rows.get(id);
          return row ? toDeadLetterView(row) : undefined;
        }),
      markRetried: (id, executionId, at) =>
        memoryTry(memory, "deadLetters.markRetried", () => {
          const row = rows.get(id);
          if (row?.status !== "open") return;
          rows.set(id, { ...row, status: "retried", retryExecutionId: executionId, updatedAt: at });
        }),
      count: (status, cap) =>
        memoryTry(memory, "deadLetters.count", () =>
          Math.min(cap, [...rows.values()].filter((r) => r.status === status).length),
        ),
    });
  }),
);
