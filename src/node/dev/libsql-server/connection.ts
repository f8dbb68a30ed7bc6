/**
 * libSQL connections and the pool that lends them to Hrana streams, with the SQLite result
 * codes that decide whether a connection may be reused.
 */
import Database from "libsql";
import { ProtocolError } from "./errors";

type Db = Database.Database;

export const SQLITE_BUSY = 5;
export const SQLITE_LOCKED = 6;

export const rawCode = (e: unknown): number | undefined => {
  const code = typeof e === "object" && e !== null ? Reflect.get(e, "rawCode") : undefined;
  return typeof code === "number" ? code : undefined;
};

/** One libSQL connection with the flags deciding whether it may serve another stream. */
export class Connection {
  readonly db: Db;
  /** A failed BUSY leaves its statement active, pinning an old snapshot: replace the connection. */
  poisoned = false;
  dirty = false;
  #lastChange: Database.Statement | undefined;

  constructor(path: string) {
    this.db = new Database(path);
    // A blocking busy handler would freeze the event loop and with it the stream holding the
    // lock; `Stream.#retry` waits asynchronously instead.
    this.db.exec("PRAGMA busy_timeout = 0");
  }

  lastChange(): { changes: bigint; rowid: bigint } {
    this.#lastChange ??= this.db
      .prepare("SELECT changes(), last_insert_rowid()")
      .raw(true)
      .safeIntegers(true);
    const [row] = this.#lastChange.all();
    const [changes, rowid] = Array.isArray(row) ? row : [];
    return { changes: BigInt(changes ?? 0), rowid: BigInt(rowid ?? 0) };
  }

  close(): void {
    // Closing is lazy in libsql (it waits for GC), so an open transaction would keep its locks.
    try {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
    } catch {
      // the connection goes away regardless
    }
    this.db.close();
  }
}

/** Idle connections reused across streams; opening one per HTTP request leaks descriptors. */
export class Pool {
  readonly #idle: Connection[] = [];
  closed = false;

  constructor(
    readonly path: string,
    readonly maxIdle = 8,
  ) {}

  acquire(): Connection {
    if (this.closed) throw new ProtocolError("Server is shutting down", "SERVER_CLOSED", 503);
    return this.#idle.pop() ?? new Connection(this.path);
  }

  release(conn: Connection): void {
    if (this.closed || conn.poisoned || conn.dirty || this.#idle.length >= this.maxIdle) {
      conn.close();
      return;
    }
    try {
      if (conn.db.inTransaction) conn.db.exec("ROLLBACK");
      this.#idle.push(conn);
    } catch {
      conn.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const conn of this.#idle.splice(0)) conn.close();
  }
}
