/**
 * `core_operations`: backfills and replays as their coordinators last reported them (on start
 * and after every slice), so operators can list what is in progress without addressing every
 * coordinator. The coordinator's own storage stays the source of truth.
 */
import { desc, eq, ne } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreOperations } from "../../db/schema/status";
import type { OperationRow } from "./memory";

/** One backfill or replay and how far it got. */
export interface Operation {
  readonly operation_id: string;
  readonly kind: "backfill" | "replay";
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly status: "running" | "complete" | "failed";
  readonly total: number;
  /** Partitions finished, whatever their final status. */
  readonly done: number;
  readonly failed: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly finished_at: string | null;
}

export const toOperationRow = (op: Operation): OperationRow => ({
  operationId: op.operation_id,
  kind: op.kind,
  pipeline: op.pipeline,
  rangeStart: op.start,
  rangeEnd: op.end,
  status: op.status,
  total: op.total,
  done: op.done,
  failed: op.failed,
  createdAt: op.created_at,
  updatedAt: op.updated_at,
  finishedAt: op.finished_at,
});

/** What a later report of the same operation changes (its kind, range and start stay). */
export const progressColumns = (row: OperationRow) => ({
  status: row.status,
  total: row.total,
  done: row.done,
  failed: row.failed,
  updatedAt: row.updatedAt,
  finishedAt: row.finishedAt,
});

export const toOperation = (r: OperationRow): Operation => ({
  operation_id: r.operationId,
  kind: r.kind as Operation["kind"],
  pipeline: r.pipeline,
  start: r.rangeStart,
  end: r.rangeEnd,
  status: r.status as Operation["status"],
  total: r.total,
  done: r.done,
  failed: r.failed,
  created_at: r.createdAt,
  updated_at: r.updatedAt,
  finished_at: r.finishedAt,
});

/** Operations still running and the last finished ones. */
export interface OperationList {
  readonly running: ReadonlyArray<Operation>;
  readonly finished: ReadonlyArray<Operation>;
}

/** Backfills and replays as their coordinators last reported them, in `core_operations`. */
export class Operations extends Effect.Service<Operations>()("dataspine/Operations", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** Inserts or refreshes an operation's row (same id ⇒ same row). */
      report: (op: Operation) => {
        const row = toOperationRow(op);
        return run("operations.report", (d) =>
          d
            .insert(coreOperations)
            .values(row)
            .onConflictDoUpdate({ target: coreOperations.operationId, set: progressColumns(row) }),
        ).pipe(Effect.asVoid);
      },
      /**
       * Operations still running (every one, oldest update first) and the `recent` last
       * finished ones, newest first.
       */
      list: (recent: number) =>
        run("operations.list", (d) =>
          Promise.all([
            d
              .select()
              .from(coreOperations)
              .where(eq(coreOperations.status, "running"))
              .orderBy(coreOperations.updatedAt),
            d
              .select()
              .from(coreOperations)
              .where(ne(coreOperations.status, "running"))
              .orderBy(desc(coreOperations.updatedAt))
              .limit(recent),
          ]),
        ).pipe(
          Effect.map(
            ([running, finished]): OperationList => ({
              running: running.map(toOperation),
              finished: finished.map(toOperation),
            }),
          ),
        ),
    };
  }),
  accessors: true,
}) {}

/** Inserts or refreshes an operation's row (same id ⇒ same row). */
export const reportOperation = Operations.report;

/** Running operations and the `recent` (default 10) last finished ones. */
export const listOperations = (recent = 10) => Operations.list(recent);
