/**
 * `CoreStoresTest`: every store, and the audit log, in memory over one `StoreMemory` (also
 * provided, so a test can read the tables or make an operation fail). A fresh set of tables
 * each time the layer is built.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { type AuditBatch, AuditLog } from "../pipeline/audit-log";
import { AnomaliesTest } from "./anomalies-memory";
import { CalcDependenciesTest } from "./calc-dependencies-memory";
import { DeadLettersTest } from "./dead-letters-memory";
import type { CoreStores } from "./layers";
import { ManifestTest } from "./manifest-memory";
import { memoryTry, StoreMemory } from "./memory";
import { OperationsTest } from "./operations-memory";
import { PartitionGridTest } from "./partition-grid-memory";
import { QuarantineTest } from "./quarantine-memory";
import { ReadinessTest } from "./readiness-memory";
import { WorkflowRunsTest } from "./workflow-runs-memory";

/** The audit log as a list of appended events (`StoreMemory.audit`), in order. */
export const AuditLogTest = Layer.effect(
  AuditLog,
  Effect.map(StoreMemory, (memory) => {
    const appendAll = (batches: ReadonlyArray<AuditBatch>) =>
      memoryTry(memory, "audit.append", () => {
        for (const { events, occurredAt } of batches) {
          for (const event of events) memory.audit.push({ event, occurredAt });
        }
      });
    return {
      append: (events, occurredAt) => appendAll([{ events, occurredAt }]),
      appendAll,
      // No SQL here: the in-memory stores hold nothing back, so only events come along.
      writeWith: (operation, statements, batches) =>
        statements.length > 0
          ? Effect.dieMessage(`${operation}: the in-memory audit log runs no SQL`)
          : Effect.as(appendAll(batches), { results: [], appended: true }),
    };
  }),
);

/** The stores and the audit log in memory, with their tables. */
export const CoreStoresTest: Layer.Layer<CoreStores | AuditLog | StoreMemory> = Layer.mergeAll(
  ManifestTest,
  DeadLettersTest,
  QuarantineTest,
  AnomaliesTest,
  ReadinessTest,
  WorkflowRunsTest,
  OperationsTest,
  PartitionGridTest,
  CalcDependenciesTest,
  AuditLogTest,
).pipe(Layer.provideMerge(StoreMemory.Default));
