/**
 * A run's bookkeeping — its manifest and readiness rows and its audit events — held back and
 * sent with the run's next data write (`bulkUpsert` through `PendingWrites`), or at the end
 * of the run all in one request. Over HTTP a partition then pays for its bookkeeping in the
 * requests it makes anyway (docs/performance.md, the edge path). The runner sends its
 * `running` manifest row when the run starts, so it is never later than the capture's rows.
 *
 * What is held is idempotent (upserts) or appended exactly once (the audit, whose hashed
 * insert only lands on the tail it was built for), so a failed request leaves it pending and
 * any later request may carry it again. It lives in memory until then: a process that dies
 * loses what it held since the run's last write, never a row's manifest.
 */
import type { InStatement } from "@libsql/client";
import type * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import { captureWrites, type Db, dbTry } from "../../db/db";
import type { DatabaseError } from "../../db/errors";
import type { PendingWrites } from "../../db/pending-writes";
import { type AuditBatch, AuditLog, type AuditLogShape } from "./audit-log";

/** The held-back writes of one run. */
export interface RunWrites {
  /** Holds the drizzle writes of `write` (idempotent upserts) back until the next write. */
  readonly hold: <E, R>(write: Effect.Effect<unknown, E, R>) => Effect.Effect<void, E, R>;
  /** The audit log the run's code appends to: its events are held back too. */
  readonly auditLog: AuditLogShape;
  /** What `bulkUpsert` sends its statements through. */
  readonly pending: Context.Tag.Service<typeof PendingWrites>;
  /** Writes everything held: one request, more only while the audit log's tail moves. */
  readonly flush: Effect.Effect<void, DatabaseError>;
}

/** Statements on their own: one `execute`, or one write batch. */
const writePlain = (operation: string, statements: ReadonlyArray<InStatement>) =>
  dbTry(operation, (_, client) =>
    statements.length === 1 && statements[0] !== undefined
      ? client.execute(statements[0]).then((rs) => [rs])
      : client.batch([...statements], "write"),
  );

/** Holds a run's bookkeeping over the `AuditLog` (and `Db`) of the context. */
export const makeRunWrites = Effect.gen(function* () {
  const log = yield* AuditLog;
  const db = yield* Effect.context<Db>();
  let statements: Array<InStatement> = [];
  let audit: Array<AuditBatch> = [];
  /** Takes everything held; `putBack` returns it to the front, ahead of what came since. */
  const take = () => {
    const taken = { statements, audit };
    statements = [];
    audit = [];
    return taken;
  };
  const putBack = (s: ReadonlyArray<InStatement>, a: ReadonlyArray<AuditBatch>) => {
    statements = [...s, ...statements];
    audit = [...a, ...audit];
  };

  const writeWith = (operation: string, own: ReadonlyArray<InStatement>) =>
    Effect.suspend(() => {
      const held = take();
      if (held.statements.length === 0 && held.audit.length === 0) {
        return own.length === 0 ? Effect.succeed([]) : writePlain(operation, own);
      }
      return log.writeWith(operation, [...held.statements, ...own], held.audit).pipe(
        Effect.map(({ results, appended }) => {
          if (!appended) putBack([], held.audit);
          return results.slice(held.statements.length);
        }),
        Effect.tapError(() => Effect.sync(() => putBack(held.statements, held.audit))),
      );
    }).pipe(Effect.provide(db));

  const flush: Effect.Effect<void, DatabaseError> = Effect.suspend(() => {
    const held = take();
    if (held.statements.length === 0) {
      return held.audit.length === 0
        ? Effect.void
        : log
            .appendAll(held.audit)
            .pipe(Effect.tapError(() => Effect.sync(() => putBack([], held.audit))));
    }
    return Effect.flatMap(
      log
        .writeWith("run.bookkeeping", held.statements, held.audit)
        .pipe(Effect.tapError(() => Effect.sync(() => putBack(held.statements, held.audit)))),
      ({ appended }) =>
        appended || held.audit.length === 0
          ? Effect.void
          : log
              .appendAll(held.audit)
              .pipe(Effect.tapError(() => Effect.sync(() => putBack([], held.audit)))),
    );
  });

  const hold = <E, R>(write: Effect.Effect<unknown, E, R>) =>
    Effect.flatMap(captureWrites(write), (captured) =>
      Effect.sync(() => {
        statements.push(...captured);
      }),
    );

  const writes: RunWrites = {
    hold,
    auditLog: {
      append: (events, occurredAt) =>
        Effect.sync(() => {
          if (events.length > 0) audit.push({ events, occurredAt });
        }),
      appendAll: (batches) =>
        Effect.sync(() => {
          audit.push(...batches);
        }),
      // The caller appends `batches` later (through `appendAll`, which holds them back).
      writeWith: (operation, own) =>
        Effect.map(writeWith(operation, own), (results) => ({ results, appended: false })),
    },
    pending: { writeWith, flush: Effect.asVoid(writeWith("run.bookkeeping", [])), hold },
    flush,
  };
  return writes;
});
