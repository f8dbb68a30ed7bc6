/**
 * Reading `core_audit_log` in `seq` order: keyset pages for verification, the newest entries
 * for operators, and the highest `seq` ever issued.
 *
 * Plain SQL on the libSQL client (not the drizzle query builder) so the rows come back as
 * the exact stored texts that the hashes cover.
 */
import type { Row } from "@libsql/client";
import * as Effect from "effect/Effect";
import { dbTry } from "../db/db";
import { DatabaseError } from "../db/errors";
import type { AuditRow } from "./hash-chain";

const COLUMNS =
  "seq, audit_id, occurred_at, event_type, entity_type, entity_id, domain, partition_key, " +
  "capture_id, execution_id, old_state, new_state, metadata, prev_hash, entry_hash";

/**
 * Decodes one row, or names the first column whose value has the wrong type (a foreign
 * schema, not a tampered entry). Plain code, not an effect per row: verification decodes
 * every entry of the log.
 */
const decodeRow = (row: Row): AuditRow | { readonly bad: string } => {
  let bad: string | undefined;
  const text = (column: string): string => {
    const value = row[column];
    if (typeof value === "string") return value;
    bad ??= column;
    return "";
  };
  const optional = (column: string): string | null => {
    const value = row[column];
    if (value === null || typeof value === "string") return value;
    bad ??= column;
    return null;
  };
  const seq = row.seq;
  if (typeof seq !== "number" && typeof seq !== "bigint") bad = "seq";
  const decoded: AuditRow = {
    seq: Number(seq),
    audit_id: text("audit_id"),
    occurred_at: text("occurred_at"),
    event_type: text("event_type"),
    entity_type: text("entity_type"),
    entity_id: text("entity_id"),
    domain: text("domain"),
    partition_key: optional("partition_key"),
    capture_id: optional("capture_id"),
    execution_id: optional("execution_id"),
    old_state: optional("old_state"),
    new_state: optional("new_state"),
    metadata: optional("metadata"),
    prev_hash: optional("prev_hash"),
    entry_hash: optional("entry_hash"),
  };
  return bad === undefined ? decoded : { bad };
};

const decodeRows = (
  operation: string,
  rows: ReadonlyArray<Row>,
): Effect.Effect<ReadonlyArray<AuditRow>, DatabaseError> => {
  const out: Array<AuditRow> = [];
  for (const row of rows) {
    const decoded = decodeRow(row);
    if ("bad" in decoded) {
      return new DatabaseError({
        operation,
        message: `core_audit_log.${decoded.bad} has an unexpected value: ${String(row[decoded.bad])}`,
      });
    }
    out.push(decoded);
  }
  return Effect.succeed(out);
};

/** Up to `limit` entries with `seq > afterSeq`, in `seq` order (a keyset page). */
export const readAuditPage = (afterSeq: number, limit: number) =>
  dbTry("audit.readPage", (_, client) =>
    client.execute({
      sql: `SELECT ${COLUMNS} FROM core_audit_log WHERE seq > ? ORDER BY seq LIMIT ?`,
      args: [afterSeq, limit],
    }),
  ).pipe(Effect.flatMap((rs) => decodeRows("audit.readPage", rs.rows)));

/** Filters for `listAuditTail`; all optional. */
export interface AuditTailFilter {
  readonly captureId?: string;
  readonly partitionKey?: string;
  readonly eventType?: string;
}

/** The newest `limit` entries (default 20) matching `filter`, oldest first. */
export const listAuditTail = (limit = 20, filter: AuditTailFilter = {}) => {
  const where: Array<string> = [];
  const args: Array<string | number> = [];
  for (const [column, value] of [
    ["capture_id", filter.captureId],
    ["partition_key", filter.partitionKey],
    ["event_type", filter.eventType],
  ] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    args.push(value);
  }
  const clause = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
  return dbTry("audit.tail", (_, client) =>
    client.execute({
      sql: `SELECT ${COLUMNS} FROM core_audit_log ${clause} ORDER BY seq DESC LIMIT ?`,
      args: [...args, Math.max(0, Math.floor(limit))],
    }),
  ).pipe(
    Effect.flatMap((rs) => decodeRows("audit.tail", rs.rows)),
    Effect.map((rows) => rows.toReversed()),
  );
};

/**
 * The highest `seq` ever issued (SQLite's AUTOINCREMENT counter in `sqlite_sequence`), or
 * `0` if none. Rows are never deleted legitimately, so a tail below it means truncation.
 */
export const readIssuedSeq = dbTry("audit.readIssuedSeq", (_, client) =>
  client.execute("SELECT seq FROM sqlite_sequence WHERE name = 'core_audit_log'"),
).pipe(
  Effect.map((rs) => {
    const seq = rs.rows[0]?.seq;
    return typeof seq === "number" || typeof seq === "bigint" ? Number(seq) : 0;
  }),
);
