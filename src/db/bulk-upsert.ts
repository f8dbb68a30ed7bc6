/**
 * Bulk upserts through one JSON argument per chunk:
 *   `WITH t(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(CAST(?1 AS TEXT)))
 *    INSERT … SELECT v->>0, v->>1, … FROM t`.
 * SQLite parses and inserts the whole chunk in C, the fastest path through the libSQL drivers
 * and a single small request over HTTP (docs/performance.md). The key columns make a re-run an
 * update, never a duplicate.
 *
 * Two things keep SQLite's side short:
 * - Each tuple is converted to JSONB once (the materialized CTE), so reading its columns is a
 *   walk over the binary form; `value->>i` on json_each's text value would re-read the tuple's
 *   text for every column.
 * - Columns whose value is the same for every row of a call (the capture columns) are bound
 *   once as `?2, ?3, …` instead of being repeated in each tuple.
 *
 * The JSON may come as text or as its UTF-8 bytes (a blob, what the Node writer thread is
 * handed: no string is made of it on either thread); the cast reads both as text.
 */
import type { InValue } from "@libsql/client";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { BulkBuffer } from "./bulk-buffer";
import { type Db, dbTry } from "./db";
import { DatabaseError, describeUnknown } from "./errors";
import { PendingWrites } from "./pending-writes";

/**
 * Where bulk upserts run, when not on the `Db` connection: the Node runtime gives an embedded
 * database a writer on its own thread and connection, so a statement that takes SQLite tens
 * of milliseconds does not block the thread decoding the next batch. Without it (the Worker,
 * remote libSQL, whose requests are asynchronous anyway) upserts use the `Db` client.
 */
export class BulkWriter extends Context.Tag("dataspine/BulkWriter")<
  BulkWriter,
  {
    /**
     * Runs one statement; resolves to the rows it changed. Has copied `args` (sent them to
     * the writer) by the time it returns, so the caller may let go of them, or reuse them,
     * at once.
     */
    readonly execute: (sql: string, args: ReadonlyArray<InValue>) => Promise<number>;
  }
>() {}

/**
 * Runs one bulk statement whose first argument is a buffer's JSON. A `BulkWriter` gets the
 * bytes (bound as a blob, which the statement casts to text) and has copied them when it
 * returns; what it was handed is emptied then, so nothing but the buffer refers to them while
 * the statement runs. The client gets the text. A run's pending writes (`PendingWrites`) go in
 * the same request and transaction as the statement; the writer thread has a connection of
 * its own, so with it they are written just before.
 */
const executeBulk = (
  operation: string,
  sql: string,
  buffer: BulkBuffer,
  shared: ReadonlyArray<InValue>,
) =>
  Effect.flatMap(
    Effect.all([Effect.serviceOption(BulkWriter), Effect.serviceOption(PendingWrites)]),
    ([writer, pending]) => {
      if (Option.isSome(writer)) {
        const write = Effect.tryPromise({
          try: () => {
            const args = [buffer.bytes(), ...shared];
            const done = writer.value.execute(sql, args);
            args.length = 0;
            return done;
          },
          catch: (cause) => new DatabaseError({ operation, message: describeUnknown(cause) }),
        }).pipe(Effect.withSpan(`Db.${operation}`));
        return Option.isSome(pending) ? Effect.zipRight(pending.value.flush, write) : write;
      }
      if (Option.isSome(pending)) {
        return Effect.map(
          pending.value.writeWith(operation, [{ sql, args: [buffer.text(), ...shared] }]),
          (results) => results[0]?.rowsAffected ?? 0,
        );
      }
      return Effect.map(
        dbTry(operation, (_, client) => client.execute({ sql, args: [buffer.text(), ...shared] })),
        (result) => result.rowsAffected,
      );
    },
  );

/** A table written by `bulkUpsert`: its column order is the tuple order. */
export interface BulkUpsertSpec {
  readonly table: string;
  readonly columns: ReadonlyArray<string>;
  /** The primary key (conflict target). */
  readonly key: ReadonlyArray<string>;
  /** Columns after `columns` that take one value per call (bound parameters), e.g. capture ids. */
  readonly shared?: ReadonlyArray<string>;
}

/** The capture-id contract's columns, shared by every row one run writes. */
export const CAPTURE_COLUMNS = ["capture_id", "captured_at", "execution_id", "batch_id"] as const;

/** What a run stamps on every row it writes. */
export interface CaptureStamp {
  readonly captureId: string;
  readonly capturedAt: string;
  readonly executionId: string;
  readonly batchId: string;
}

/** The values of `CAPTURE_COLUMNS` for a run. */
export const captureValues = (ctx: CaptureStamp): ReadonlyArray<InValue> => [
  ctx.captureId,
  ctx.capturedAt,
  ctx.executionId,
  ctx.batchId,
];

/** Rows per statement: bounded so one JSON argument stays a few MB at most. */
export const BULK_UPSERT_CHUNK_ROWS = 5_000;

/**
 * The statement of a spec: `?1` takes the chunk as a JSON array of tuples, `?2…` the shared
 * columns' values.
 */
export const bulkUpsertSql = (spec: BulkUpsertSpec): string => {
  const shared = spec.shared ?? [];
  const all = [...spec.columns, ...shared];
  const key = new Set(spec.key);
  const updates = all.filter((c) => !key.has(c));
  const selected = [
    ...spec.columns.map((_, i) => `v->>${i}`),
    ...shared.map((_, i) => `?${i + 2}`),
  ];
  // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join clause.
  return `WITH t(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(CAST(?1 AS TEXT)))
INSERT INTO ${spec.table} (${all.join(", ")})
SELECT ${selected.join(", ")} FROM t WHERE true
ON CONFLICT (${spec.key.join(", ")}) DO ${
    updates.length === 0
      ? "NOTHING"
      : `UPDATE SET\n${updates.map((c) => `${c} = excluded.${c}`).join(",\n")}`
  }`;
};

/**
 * Upserts tuples (in `spec.columns` order) in chunks, with `shared` as the values of
 * `spec.shared`; returns rows inserted or updated.
 *
 * The chunks' JSON is built when this is called, not when the effect runs, and kept as bytes
 * (`BulkBuffer`): the effect holds no tuple or field string of the batch, so a caller that
 * forks the write (write-behind) keeps little alive until the database answers. The effect may
 * run again (`Effect.retry` after a failed statement): every run writes every chunk, and the
 * upsert makes a repeated chunk an update.
 */
export const bulkUpsert = (
  spec: BulkUpsertSpec,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  shared: ReadonlyArray<InValue> = [],
  chunkRows = BULK_UPSERT_CHUNK_ROWS,
): Effect.Effect<number, DatabaseError, Db> => {
  const chunks: Array<BulkBuffer> = [];
  try {
    for (let start = 0; start < rows.length; start += chunkRows) {
      const chunk = new BulkBuffer();
      chunk.addTuples(rows.slice(start, start + chunkRows));
      chunks.push(chunk);
    }
  } catch (cause) {
    return Effect.die(cause);
  }
  return bulkUpsertBuffers(spec, chunks, shared);
};

/**
 * Upserts what buffers collected (`BulkBuffer`, tuples in `spec.columns` order), one
 * statement per buffer, with `shared` as the values of `spec.shared`; returns rows inserted or
 * updated. The effect may run again, as `bulkUpsert`'s.
 */
export const bulkUpsertBuffers = (
  spec: BulkUpsertSpec,
  buffers: ReadonlyArray<BulkBuffer>,
  shared: ReadonlyArray<InValue> = [],
): Effect.Effect<number, DatabaseError, Db> => {
  if (shared.length !== (spec.shared?.length ?? 0)) {
    return Effect.dieMessage(
      `${spec.table}: ${shared.length} shared values for ${spec.shared?.length ?? 0} shared columns`,
    );
  }
  const sql = bulkUpsertSql(spec);
  const operation = `${spec.table}.upsert`;
  const from = (i: number, written: number): Effect.Effect<number, DatabaseError, Db> => {
    const buffer = buffers[i];
    return buffer === undefined
      ? Effect.succeed(written)
      : Effect.flatMap(executeBulk(operation, sql, buffer, shared), (n) =>
          from(i + 1, written + n),
        );
  };
  return Effect.suspend(() => from(0, 0));
};
