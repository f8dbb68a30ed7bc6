/**
 * The in-memory tables behind the stores' `Test` layers: one map per `core_*` table, keyed
 * like its primary key, holding rows shaped exactly like the libSQL rows, so both layers map
 * rows to what callers see with the same functions. Every `Test` layer of one build shares
 * one `StoreMemory` (layers are memoized per build), so a manifest written through `Manifest`
 * is what `PartitionGrid` and `WorkflowRuns` read.
 */
import * as Effect from "effect/Effect";
import { DatabaseError } from "../../db/errors";
import type {
  coreAnomalies,
  coreDataReadiness,
  coreDeadLetters,
  coreManifest,
  coreOperations,
  coreQuarantine,
  coreWorkflowRuns,
} from "../../db/schema/index";
import type { AuditEvent } from "../model/audit-event";
import type { CalcEdge } from "./calc-dependencies";

export type ManifestRow = typeof coreManifest.$inferSelect;
export type DeadLetterRow = typeof coreDeadLetters.$inferSelect;
export type QuarantineRow = typeof coreQuarantine.$inferSelect;
export type AnomalyRow = typeof coreAnomalies.$inferSelect;
export type ReadinessRow = typeof coreDataReadiness.$inferSelect;
export type WorkflowRunRow = typeof coreWorkflowRuns.$inferSelect;
export type OperationRow = typeof coreOperations.$inferSelect;

/** One appended audit event. */
export interface AuditEntry {
  readonly event: AuditEvent;
  readonly occurredAt: string;
}

/** The tables of one in-memory database. */
export class StoreMemory extends Effect.Service<StoreMemory>()("dataspine/StoreMemory", {
  sync: () => ({
    manifest: new Map<string, ManifestRow>(),
    deadLetters: new Map<string, DeadLetterRow>(),
    quarantine: new Map<string, QuarantineRow>(),
    anomalies: new Map<string, AnomalyRow>(),
    /** Keyed by domain, stage, partition key and week ending. */
    readiness: new Map<string, ReadinessRow>(),
    workflowRuns: new Map<string, WorkflowRunRow>(),
    operations: new Map<string, OperationRow>(),
    /** Keyed by `edgeKey`. */
    calcDependencies: new Map<string, CalcEdge>(),
    /** The audit log: events in the order they were appended, each with its time. */
    audit: [] as Array<AuditEntry>,
    /**
     * Operations (`manifest.upsert`, …; `*` for all) that fail with `DatabaseError` as an
     * unreachable database would: how a logic test reaches its database-failure paths.
     */
    failing: new Set<string>(),
  }),
}) {}

/**
 * One store operation over the in-memory tables: `DatabaseError` when the test marked it
 * failing, else `run`'s value.
 */
export const memoryTry = <A>(
  memory: StoreMemory,
  operation: string,
  run: () => A,
): Effect.Effect<A, DatabaseError> =>
  Effect.suspend(() =>
    memory.failing.has(operation) || memory.failing.has("*")
      ? Effect.fail(new DatabaseError({ operation, message: "database unavailable (test)" }))
      : Effect.sync(run),
  ).pipe(Effect.withSpan(`Db.${operation}`));

/** A composite key of several columns. */
export const keyOf = (...parts: ReadonlyArray<string>): string => parts.join("\u0000");

type Sortable = string | number | null | undefined;

// SQLite's order: NULL first, then numbers, then text (binary).
const compare = (a: Sortable, b: Sortable): number => {
  const rank = (v: Sortable) => (v === null || v === undefined ? 0 : typeof v === "number" ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (a === b || ra === 0) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
};

/** `ORDER BY` over rows: each key a column and its direction; ties keep insertion order. */
export const orderBy = <R>(
  rows: Iterable<R>,
  ...keys: ReadonlyArray<readonly [(row: R) => Sortable, "asc" | "desc"]>
): Array<R> =>
  [...rows].sort((a, b) => {
    for (const [column, direction] of keys) {
      const c = compare(column(a), column(b));
      if (c !== 0) return direction === "asc" ? c : -c;
    }
    return 0;
  });

/** SQLite's `json_patch` (RFC 7396 merge patch): null removes a key, objects merge. */
export const mergePatch = (target: unknown, patch: unknown): unknown => {
  if (typeof patch !== "object" || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === "object" && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
};
