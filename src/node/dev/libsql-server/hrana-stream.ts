/**
 * One Hrana stream: it owns one libSQL connection (so interactive transactions are isolated)
 * and a SQL text cache, and runs the execute/batch/sequence/describe requests on them.
 */
import { type Connection, type Pool, rawCode, SQLITE_BUSY, SQLITE_LOCKED } from "./connection";
import { ProtocolError, type ProtoError, StmtError, toProtoError } from "./errors";
import type {
  BatchCond,
  BatchResult,
  BatchStep,
  DescribeResult,
  Stmt,
  StmtResult,
} from "./protocol";
import { type SqlInfo, scanSingle, scanSql } from "./sql-scan";
import { encodeValue, type JsonValue, type SqlValue } from "./values";

const MAX_STORED_SQLS = 50;
const MAX_STORED_SQL_BYTES = 5000;
const NO_ARGS: Stmt = {
  sql: "",
  sqlId: undefined,
  args: [],
  namedArgs: new Map(),
  wantRows: false,
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function evalCond(cond: BatchCond, ok: readonly boolean[], autocommit: boolean): boolean {
  switch (cond.type) {
    case "ok":
      return ok[cond.step] === true;
    case "error":
      // sqld treats a skipped step like a failed one.
      return ok[cond.step] !== true;
    case "not":
      return !evalCond(cond.cond, ok, autocommit);
    case "and":
      return cond.conds.every((c) => evalCond(c, ok, autocommit));
    case "or":
      return cond.conds.some((c) => evalCond(c, ok, autocommit));
    case "is_autocommit":
      return autocommit;
  }
}

function bindValues(info: SqlInfo, stmt: Stmt): SqlValue[] {
  const { args, namedArgs } = stmt;
  const invalid = (why: string) =>
    new StmtError(`Arguments do not match SQL parameters: ${why}`, "ARGS_INVALID");
  const given = args.length + namedArgs.size;
  if (given > info.params.length) {
    throw invalid(`too many parameters, expected ${info.params.length} found ${given}`);
  }
  return info.params.map((name, i) => {
    let value: SqlValue | undefined;
    if (name === null) value = args[i];
    else if (name.startsWith("?")) value = args[Number(name.slice(1)) - 1];
    else value = namedArgs.has(name) ? namedArgs.get(name) : namedArgs.get(name.slice(1));
    if (value !== undefined) return value;
    if (info.isExplain) return null;
    throw invalid(`value for parameter ${name ?? i + 1} not found`);
  });
}

/** What a stream uses of the registry that owns it (`stream-registry.ts`). */
export interface StreamOwner {
  readonly pool: Pool;
  readonly busyTimeoutMs: number;
}

/** A Hrana stream: its connection, cached SQL texts, and the statements run on them. */
export class Stream {
  conn: Connection | undefined;
  readonly sqls = new Map<number, string>();
  lastUsed = Date.now();

  constructor(readonly streams: StreamOwner) {
    this.conn = streams.pool.acquire();
  }

  #db(): Connection {
    if (this.conn === undefined) throw new ProtocolError("Stream for this baton was closed");
    return this.conn;
  }

  get autocommit(): boolean {
    return !this.#db().db.inTransaction;
  }

  close(): void {
    if (this.conn !== undefined) this.streams.pool.release(this.conn);
    this.conn = undefined;
  }

  storeSql(sqlId: number, sql: string): void {
    if (this.sqls.has(sqlId)) throw new ProtocolError(`SQL text ${sqlId} already exists`);
    if (this.sqls.size >= MAX_STORED_SQLS) {
      throw new StmtError(
        `The server already stores ${this.sqls.size} SQL texts`,
        "SQL_STORE_TOO_MANY",
      );
    }
    if (Buffer.byteLength(sql) > MAX_STORED_SQL_BYTES) {
      throw new StmtError("The statement is too large to be stored", "SQL_STORE_TOO_LARGE");
    }
    this.sqls.set(sqlId, sql);
  }

  sqlText(sql: string | undefined, sqlId: number | undefined): string {
    if (sql !== undefined && sqlId !== undefined) {
      throw new ProtocolError("Either `sql` or `sql_id` are required, but not both");
    }
    if (sql !== undefined) return sql;
    if (sqlId === undefined) throw new ProtocolError("Either `sql` or `sql_id` are required");
    const text = this.sqls.get(sqlId);
    if (text === undefined) throw new ProtocolError(`SQL text ${sqlId} not found`);
    return text;
  }

  #prepareStmt(stmt: Stmt): SqlInfo {
    const info = scanSingle(this.sqlText(stmt.sql, stmt.sqlId));
    if (stmt.args.length > 0 && stmt.namedArgs.size > 0) {
      throw new StmtError(
        "Specifying both positional and named arguments is not supported",
        "ARGS_BOTH_POSITIONAL_AND_NAMED",
      );
    }
    return info;
  }

  /** Runs `fn`, retrying plain SQLITE_BUSY without blocking until the busy timeout passes. */
  async #retry<T>(conn: Connection, fn: () => T): Promise<T> {
    const deadline = Date.now() + this.streams.busyTimeoutMs;
    for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
      try {
        return fn();
      } catch (e) {
        const code = rawCode(e);
        if (code === SQLITE_BUSY && Date.now() < deadline && !this.streams.pool.closed) {
          await sleep(delay);
          continue;
        }
        const primary = (code ?? 0) & 0xff;
        if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) conn.poisoned = true;
        throw e;
      }
    }
  }

  async #run(info: SqlInfo, values: SqlValue[], wantRows: boolean): Promise<StmtResult> {
    const conn = this.#db();
    if (info.dirty) conn.dirty = true;
    try {
      // One prepared statement across retries: a retry resets it, a fresh one would not.
      const stmt = await this.#retry(conn, () => conn.db.prepare(info.text));
      const reader = stmt.reader;
      if (reader) stmt.raw(true).safeIntegers(true);
      const out = await this.#retry(conn, () => (reader ? stmt.all(values) : [stmt.run(values)]));
      const change = conn.lastChange();
      const isInsert = !info.isExplain && (info.verb === "INSERT" || info.verb === "REPLACE");
      const isIud = isInsert || (!info.isExplain && ["UPDATE", "DELETE"].includes(info.verb));
      return {
        cols: reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
        rows:
          reader && wantRows
            ? out.map((r): JsonValue[] => (Array.isArray(r) ? r.map(encodeValue) : []))
            : [],
        affected_row_count: isIud ? Number(change.changes) : 0,
        last_insert_rowid: isInsert ? change.rowid.toString() : null,
      };
    } finally {
      if (conn.poisoned && !conn.db.inTransaction) {
        conn.close();
        this.conn = this.streams.pool.closed ? undefined : this.streams.pool.acquire();
      }
    }
  }

  async execute(stmt: Stmt): Promise<StmtResult> {
    const info = this.#prepareStmt(stmt);
    return this.#run(info, bindValues(info, stmt), stmt.wantRows);
  }

  async batch(steps: readonly BatchStep[]): Promise<BatchResult> {
    // Like sqld, every step is resolved before any runs: a bad step fails the whole batch.
    const infos = steps.map((step) => this.#prepareStmt(step.stmt));
    const ok: boolean[] = [];
    const results: (StmtResult | null)[] = [];
    const errors: (ProtoError | null)[] = [];
    for (const [i, step] of steps.entries()) {
      const info = infos[i]!;
      let result: StmtResult | null = null;
      let error: ProtoError | null = null;
      if (step.condition === undefined || evalCond(step.condition, ok, this.autocommit)) {
        try {
          result = await this.#run(info, bindValues(info, step.stmt), step.stmt.wantRows);
        } catch (e) {
          if (e instanceof ProtocolError) throw e;
          error = toProtoError(e);
        }
      }
      ok.push(result !== null);
      results.push(result);
      errors.push(error);
    }
    return { step_results: results, step_errors: errors };
  }

  async sequence(sql: string): Promise<void> {
    for (const info of scanSql(sql)) await this.#run(info, bindValues(info, NO_ARGS), false);
  }

  async describe(sql: string): Promise<DescribeResult> {
    const info = scanSingle(sql);
    const conn = this.#db();
    const stmt = await this.#retry(conn, () => conn.db.prepare(info.text));
    let readonly = true;
    if (!info.isExplain) {
      // sqlite3_stmt_readonly() is not exposed; it is false exactly when the program opens a
      // write transaction, vacuums, or changes the journal mode.
      const plan = conn.db.prepare(`EXPLAIN ${info.text}`).raw(true).all();
      readonly = !plan.some(
        (op) =>
          Array.isArray(op) &&
          ((op[1] === "Transaction" && op[3] !== 0) ||
            op[1] === "Vacuum" ||
            op[1] === "JournalMode"),
      );
    }
    return {
      params: info.params.map((name) => ({ name })),
      cols: stmt.reader ? stmt.columns().map((c) => ({ name: c.name, decltype: c.type })) : [],
      is_explain: info.isExplain,
      is_readonly: readonly,
    };
  }
}
