/**
 * Bulk upserts through one JSON argument per chunk: `INSERT … SELECT value->>0, … FROM
 * json_each(?)`. SQLite parses and inserts the whole chunk in C, the fastest path through the
 * libSQL drivers and a single small request over HTTP (see PERFORMANCE.md). The key columns
 * make a re-run an update, never a duplicate.
 */
import { Effect } from "effect";
import { dbTry } from "./db";

/** A table written by `bulkUpsert`: its column order is the tuple order. */
export interface BulkUpsertSpec {
  readonly table: string;
  readonly columns: ReadonlyArray<string>;
  /** The primary key (conflict target). */
  readonly key: ReadonlyArray<string>;
}

/** Rows per statement: bounded so one JSON argument stays a few MB at most. */
export const BULK_UPSERT_CHUNK_ROWS = 5_000;

/** The statement of a spec; one `?` takes the chunk as a JSON array of tuples. */
export const bulkUpsertSql = (spec: BulkUpsertSpec): string => {
  const key = new Set(spec.key);
  const updates = spec.columns.filter((c) => !key.has(c));
  // `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT's join clause.
  return `INSERT INTO ${spec.table} (${spec.columns.join(", ")})
SELECT ${spec.columns.map((_, i) => `value->>${i}`).join(", ")} FROM json_each(?) WHERE true
ON CONFLICT (${spec.key.join(", ")}) DO ${
    updates.length === 0
      ? "NOTHING"
      : `UPDATE SET\n${updates.map((c) => `${c} = excluded.${c}`).join(",\n")}`
  }`;
};

/** Upserts tuples (in `spec.columns` order) in chunks; returns rows inserted or updated. */
export const bulkUpsert = (
  spec: BulkUpsertSpec,
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  chunkRows = BULK_UPSERT_CHUNK_ROWS,
) => {
  const sql = bulkUpsertSql(spec);
  return Effect.gen(function* () {
    let written = 0;
    for (let start = 0; start < rows.length; start += chunkRows) {
      const chunk = rows.slice(start, start + chunkRows);
      const result = yield* dbTry(`${spec.table}.upsert`, (_, client) =>
        client.execute({ sql, args: [JSON.stringify(chunk)] }),
      );
      written += result.rowsAffected;
    }
    return written;
  });
};
