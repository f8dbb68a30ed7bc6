/**
 * `core_operations`: backfills and replays as their coordinators last reported them (on start
 * and after every slice), so operators can list what is in progress without addressing every
 * coordinator. The coordinator's own storage stays the source of truth.
 */
import { desc, eq, ne } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { dbTry } from "../../db/db";
import { coreOperations } from "../../db/schema/index";

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

/** Inserts or refreshes an operation's row (same id ⇒ same row). */
export const reportOperation = (op: Operation) => {
  const row = {
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
  };
  return dbTry("operations.report", (db) =>
    db
      .insert(coreOperations)
      .values(row)
      .onConflictDoUpdate({
        target: coreOperations.operationId,
        set: {
          status: row.status,
          total: row.total,
          done: row.done,
          failed: row.failed,
          updatedAt: row.updatedAt,
          finishedAt: row.finishedAt,
        },
      }),
  ).pipe(Effect.asVoid);
};

const toOperation = (r: typeof coreOperations.$inferSelect): Operation => ({
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

/**
 * Operations still running (every one, oldest update first) and the `recent` (default 10)
 * last finished ones, newest first.
 */
export const listOperations = (recent = 10) =>
  dbTry("operations.list", (db) =>
    Promise.all([
      db
        .select()
        .from(coreOperations)
        .where(eq(coreOperations.status, "running"))
        .orderBy(coreOperations.updatedAt),
      db
        .select()
        .from(coreOperations)
        .where(ne(coreOperations.status, "running"))
        .orderBy(desc(coreOperations.updatedAt))
        .limit(recent),
    ]),
  ).pipe(
    Effect.map(([running, finished]) => ({
      running: running.map(toOperation),
      finished: finished.map(toOperation),
    })),
  );
