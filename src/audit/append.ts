/**
 * Appending to the hash chain safely while many writers (Worker isolates, partition actors,
 * the CLI) append at once through `@libsql/client`, over an embedded file or HTTP.
 *
 * Optimistic, with the check and the insert in ONE statement: take the tail (`seq`,
 * `entry_hash`), hash the new entries onto it, then `INSERT … SELECT … WHERE <the tail
 * is still seq N with hash H>`. A statement runs inside one write transaction and SQLite
 * serializes write transactions, so check and insert are atomic: of two appends built on
 * the same tail, exactly one inserts; the other inserts nothing and retries on the new
 * tail. Two entries can therefore never link to the same predecessor. (Rows are immutable,
 * triggers refuse UPDATE/DELETE, and AUTOINCREMENT never reuses a `seq`, so seq + hash
 * name the tail.)
 *
 * The insert travels in a write batch together with a read of the resulting tail, so a
 * lost race costs one request and the next attempt starts from the fresh tail, and a
 * writer's sequential appends cost one request each (the tail it saw last is its guess).
 * Other idempotent statements may travel in the same transaction (`writeWithChain`): a run's
 * manifest, readiness and data upserts, so its audit costs no request of its own.
 *
 * Why not an interactive write transaction (read tail, hash, insert, commit): it holds the
 * database write lock across the async hashing and, over HTTP, several round trips, which
 * stalls every other writer; and the embedded driver is synchronous, so a connection with a
 * busy timeout would block the event loop waiting for a transaction that needs that same
 * event loop to finish. Contention costs retries instead: N writers appending at the very
 * same instant need about N attempts for the last one (bounded by `APPEND_MAX_ATTEMPTS`).
 */
import type { Client, InStatement, ResultSet } from "@libsql/client";
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import { type Backoff, retryWithBackoff } from "../core/ingest/retry";
import { Db } from "../db/db";
import { DatabaseError, describeUnknown } from "../db/errors";
import { type AuditContent, type ChainedContent, chainContents } from "./hash-chain";

/** Columns in the order of the JSON tuples handed to `json_each`. */
const COLUMNS = [
  "audit_id",
  "occurred_at",
  "event_type",
  "entity_type",
  "entity_id",
  "domain",
  "partition_key",
  "capture_id",
  "execution_id",
  "old_state",
  "new_state",
  "metadata",
  "prev_hash",
  "entry_hash",
] as const satisfies ReadonlyArray<keyof ChainedContent>;

// Reading the target table makes SQLite materialize the SELECT before inserting, so the
// tail check sees the log as it was when the statement began, and `ORDER BY key` keeps the
// batch order, which is the order `seq` is assigned in. The hash is checked with the seq so
// that even a guessed tail from another database (a replaced file) cannot be linked to.
const INSERT_IF_TAIL_SQL = `INSERT INTO core_audit_log (${COLUMNS.join(", ")})
SELECT ${COLUMNS.map((_, i) => `value->>${i}`).join(", ")} FROM json_each(?)
WHERE coalesce((SELECT seq FROM core_audit_log ORDER BY seq DESC LIMIT 1), 0) = ?
  AND coalesce((SELECT entry_hash FROM core_audit_log ORDER BY seq DESC LIMIT 1), '') = ?
ORDER BY key`;

/** Another writer got there first (the tail moved) or the database was busy: try again. */
class AppendContention extends Data.TaggedError("AppendContention")<{
  readonly reason: "tail_moved" | "busy";
  readonly message: string;
}> {}

const codeOf = (cause: unknown): string | undefined => {
  const code = typeof cause === "object" && cause !== null ? Reflect.get(cause, "code") : undefined;
  return typeof code === "string" ? code : undefined;
};

/** SQLITE_BUSY / SQLITE_LOCKED (and their extended codes), locally or relayed over Hrana. */
const isBusy = (cause: unknown): boolean => {
  for (let c = cause, depth = 0; c !== undefined && depth < 4; depth++) {
    const code = codeOf(c);
    if (code?.startsWith("SQLITE_BUSY") || code?.startsWith("SQLITE_LOCKED")) return true;
    c = typeof c === "object" && c !== null ? Reflect.get(c, "cause") : undefined;
  }
  return /database (table )?is locked/i.test(describeUnknown(cause));
};

/** Runs `run` on the client; busy maps to contention (retried), anything else to `DatabaseError`. */
const onClient = <A>(run: (client: Client) => Promise<A>, operation = "audit.append") =>
  Effect.flatMap(Db, ({ client }) =>
    Effect.tryPromise({
      try: () => run(client),
      catch: (cause): AppendContention | DatabaseError =>
        isBusy(cause)
          ? new AppendContention({ reason: "busy", message: describeUnknown(cause) })
          : new DatabaseError({ operation, message: describeUnknown(cause) }),
    }),
  );

interface Tail {
  readonly seq: number;
  readonly entryHash: string;
}

const TAIL_SQL = "SELECT seq, entry_hash FROM core_audit_log ORDER BY seq DESC LIMIT 1";

/** The tail in a result of `TAIL_SQL` (`0` and `""` for an empty log). */
const tailOf = (rs: ResultSet | undefined): Tail => {
  const seq = rs?.rows[0]?.seq;
  const hash = rs?.rows[0]?.entry_hash;
  return {
    seq: typeof seq === "number" || typeof seq === "bigint" ? Number(seq) : 0,
    // A row from before the chain existed has no hash; linking to "" lets `verify` flag it.
    entryHash: typeof hash === "string" ? hash : "",
  };
};

/**
 * The last tail each client saw. Only a guess (other writers move the tail), but a right
 * guess saves a round trip: a run's sequential appends each cost one request.
 */
const tailHints = new WeakMap<Client, Tail>();

/** What one write with the chain did: the results of its statements, and whether it appended. */
export interface ChainWrite {
  readonly results: ReadonlyArray<ResultSet>;
  /** False when the tail was unknown or had moved: none of the entries was written. */
  readonly appended: boolean;
}

/**
 * One request: `statements`, then the entries hashed onto the hinted tail and inserted iff
 * that is still the tail, then the tail read, all in one write transaction. Without a hint
 * (a new client) nothing is appended and the request also learns the tail. Either way the
 * tail read becomes the hint for the next attempt.
 */
const writeOnce = (
  statements: ReadonlyArray<InStatement>,
  contents: ReadonlyArray<AuditContent>,
  operation = "audit.append",
) =>
  Effect.gen(function* () {
    const { client } = yield* Db;
    const tail = tailHints.get(client);
    const entries =
      tail !== undefined && contents.length > 0
        ? yield* chainContents(tail.entryHash, contents)
        : undefined;
    const insert: Array<InStatement> =
      entries === undefined || tail === undefined
        ? []
        : [
            {
              sql: INSERT_IF_TAIL_SQL,
              args: [
                JSON.stringify(entries.map((e) => COLUMNS.map((col) => e[col]))),
                tail.seq,
                tail.entryHash,
              ],
            },
          ];
    const results = yield* onClient(
      (c) =>
        statements.length === 0 && insert.length === 0
          ? c.execute(TAIL_SQL).then((rs) => [rs])
          : c.batch([...statements, ...insert, TAIL_SQL], "write"),
      operation,
    ).pipe(Effect.tapError(() => Effect.sync(() => tailHints.delete(client))));
    tailHints.set(client, tailOf(results.at(-1)));
    const own = results.slice(0, statements.length);
    if (entries === undefined) return { results: own, appended: contents.length === 0 };
    const inserted = results[statements.length]?.rowsAffected ?? 0;
    if (inserted !== 0 && inserted !== entries.length) {
      // One statement inserts all rows or none; anything else is a broken database.
      return yield* Effect.die(new Error(`audit append inserted ${inserted}/${entries.length}`));
    }
    return { results: own, appended: inserted > 0 };
  });

/** One attempt of an append: contention when the tail was unknown or had moved. */
const attempt = (contents: ReadonlyArray<AuditContent>) =>
  Effect.flatMap(writeOnce([], contents), ({ appended }) =>
    appended
      ? Effect.void
      : Effect.fail(
          new AppendContention({ reason: "tail_moved", message: "the tail was unknown or moved" }),
        ),
  );

/** Attempts at most; with N writers racing, the last one needs about N. */
export const APPEND_MAX_ATTEMPTS = 200;

// Short jittered backoff: losers of a race spread out instead of colliding again in step.
const contentionBackoff: Backoff<AppendContention | DatabaseError> = {
  baseDelayMs: 2,
  factor: 1.5,
  capMs: 100,
  maxAttempts: APPEND_MAX_ATTEMPTS,
  jitter: true,
  while: (e) => e._tag === "AppendContention",
};

/**
 * Appends `contents` in order as one linked run of entries at the chain's tail, retrying on
 * contention. Giving up (after `APPEND_MAX_ATTEMPTS`) is a `DatabaseError`, like any other
 * failure to write.
 */
export const appendChained = (
  contents: ReadonlyArray<AuditContent>,
): Effect.Effect<void, DatabaseError, Db> =>
  contents.length === 0
    ? Effect.void
    : retryWithBackoff(attempt(contents), contentionBackoff).pipe(
        Effect.catchTag("AppendContention", (e) =>
          Effect.fail(
            new DatabaseError({
              operation: "audit.append",
              message: `gave up after ${APPEND_MAX_ATTEMPTS} attempts (${e.reason}): ${e.message}`,
            }),
          ),
        ),
        Effect.withSpan("Audit.append", { attributes: { entries: contents.length } }),
      );

/**
 * Runs `statements` and appends `contents` in one request and one write transaction, when the
 * chain's tail is known and has not moved since (`appended`); otherwise only the statements
 * are written and the caller appends `contents` later, onto the tail this request read. The
 * statements must be idempotent (upserts): a busy database makes the whole request run again.
 */
export const writeWithChain = (
  operation: string,
  statements: ReadonlyArray<InStatement>,
  contents: ReadonlyArray<AuditContent>,
): Effect.Effect<ChainWrite, DatabaseError, Db> =>
  retryWithBackoff(writeOnce(statements, contents, operation), contentionBackoff).pipe(
    Effect.catchTag("AppendContention", (e) =>
      Effect.fail(new DatabaseError({ operation, message: `database busy: ${e.message}` })),
    ),
    Effect.withSpan("Audit.writeWith", {
      attributes: { statements: statements.length, entries: contents.length },
    }),
  );
