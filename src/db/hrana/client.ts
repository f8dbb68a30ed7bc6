/**
 * A libSQL client over Hrana-over-HTTP (JSON, protocol 2), for the Worker and the Deno host:
 * `@libsql/client/http`'s interface and results in a fraction of its size (its protobuf and
 * cursor encodings, SQL cache, endpoint probing and request limiter are left out: see
 * docs/performance.md, Worker bundle). `test/node/hrana-client.test.ts` holds it to
 * `@libsql/client` against the same server.
 *
 * `execute`, `batch`, `migrate` and `executeMultiple` are one request each (the work and the
 * stream's close in one pipeline); a batch runs in a transaction of its own, as steps
 * conditioned on the previous ones. A `transaction()` keeps its stream by the server's baton.
 * `libsql:` URLs are HTTPS (`?tls=0`: HTTP).
 */
import type {
  Client,
  InArgs,
  InStatement,
  ResultSet,
  Transaction,
  TransactionMode,
} from "@libsql/client";
import { LibsqlBatchError, LibsqlError } from "@libsql/core/api";
import { type Answer, HranaStream, libsqlError, responseOf } from "./stream";
import { type Json, toResultSet, toStmt } from "./values";

const BEGIN: Readonly<Record<TransactionMode, string>> = {
  write: "BEGIN IMMEDIATE",
  read: "BEGIN TRANSACTION READONLY",
  deferred: "BEGIN DEFERRED",
};

type Statement = InStatement | [string, InArgs?];

const step = (sql: string | Json, condition?: Json): Json => ({
  stmt: typeof sql === "string" ? { sql, want_rows: false } : sql,
  ...(condition === undefined ? {} : { condition }),
});
const ok = (index: number): Json => ({ type: "ok", step: index });

/** A batch's step results and errors (`null`: not run). */
interface BatchResult {
  readonly step_results: ReadonlyArray<Json | null>;
  readonly step_errors: ReadonlyArray<{ message: string; code?: string | null } | null>;
}

/** The result set of step `index`, statement `i` of the caller's list. */
const stepResult = (batch: BatchResult, index: number, i: number, what: string): ResultSet => {
  const error = batch.step_errors[index];
  if (error) {
    const mapped = libsqlError(error);
    throw new LibsqlBatchError(mapped.message, i, mapped.code);
  }
  const result = batch.step_results[index];
  if (!result) {
    throw new LibsqlBatchError(
      `Statement in ${what} was not executed, probably because the transaction has been rolled back`,
      i,
      "TRANSACTION_CLOSED",
    );
  }
  return toResultSet(result);
};

const batchOf = (answer: Answer | undefined): BatchResult =>
  responseOf(answer).result as BatchResult;

/** Throws step `index`'s error, if it failed. */
const throwIfFailed = (batch: BatchResult, index: number) => {
  const error = batch.step_errors[index];
  if (error) throw libsqlError(error);
};

/**
 * `stmts` in a transaction of `mode`, in one request: BEGIN, each statement if the one
 * before succeeded, COMMIT if the last did, else ROLLBACK (with foreign keys off around it
 * for `migrate`).
 */
const runBatch = async (
  stream: HranaStream,
  stmts: ReadonlyArray<Statement>,
  mode: TransactionMode,
  foreignKeysOff = false,
): Promise<Array<ResultSet>> => {
  const steps: Array<Json> = foreignKeysOff ? [step("PRAGMA foreign_keys=off")] : [];
  const begin = steps.push(step(BEGIN[mode])) - 1;
  for (const stmt of stmts) steps.push(step(toStmt(stmt), ok(steps.length - 1)));
  const commit = steps.push(step("COMMIT", ok(steps.length - 1))) - 1;
  steps.push(step("ROLLBACK", { type: "not", cond: ok(commit) }));
  if (foreignKeysOff) steps.push(step("PRAGMA foreign_keys=on"));
  const [answer] = await stream.send([{ type: "batch", batch: { steps } }], true);
  const batch = batchOf(answer);
  throwIfFailed(batch, begin);
  const results = stmts.map((_, i) => stepResult(batch, begin + 1 + i, i, "a batch"));
  throwIfFailed(batch, commit);
  return results;
};

/** An interactive transaction on its own stream: BEGIN goes with its first statements. */
class HttpTransaction implements Transaction {
  #started = false;

  constructor(
    readonly stream: HranaStream,
    readonly mode: TransactionMode,
  ) {}

  get closed(): boolean {
    return this.stream.closed;
  }

  async execute(stmt: InStatement): Promise<ResultSet> {
    const [result] = await this.batch([stmt]);
    return result as ResultSet;
  }

  async batch(stmts: Array<InStatement>): Promise<Array<ResultSet>> {
    if (this.closed) {
      throw new LibsqlError(
        "Cannot execute statements because the transaction is closed",
        "TRANSACTION_CLOSED",
      );
    }
    const steps: Array<Json> = this.#started ? [] : [step(BEGIN[this.mode])];
    const first = steps.length;
    for (const stmt of stmts) {
      steps.push(step(toStmt(stmt), steps.length === 0 ? undefined : ok(steps.length - 1)));
    }
    try {
      const [answer] = await this.stream.send([{ type: "batch", batch: { steps } }], false);
      const batch = batchOf(answer);
      if (!this.#started) {
        throwIfFailed(batch, 0);
        this.#started = true;
      }
      return stmts.map((_, i) => stepResult(batch, first + i, i, "a transaction"));
    } catch (error) {
      if (!this.#started) this.close();
      throw error;
    }
  }

  async executeMultiple(sql: string): Promise<void> {
    if (!this.#started) await this.batch([]);
    const [answer] = await this.stream.send([{ type: "sequence", sql }], false);
    responseOf(answer);
  }

  async commit(): Promise<void> {
    if (this.closed) {
      throw new LibsqlError(
        "Cannot commit the transaction because it is already closed",
        "TRANSACTION_CLOSED",
      );
    }
    await this.#end("COMMIT");
  }

  async rollback(): Promise<void> {
    if (!this.closed) await this.#end("ROLLBACK");
  }

  close(): void {
    this.stream.abandon();
  }

  async #end(sql: string): Promise<void> {
    if (!this.#started) return this.close();
    const [answer] = await this.stream.send([{ type: "execute", stmt: step(sql).stmt }], true);
    responseOf(answer);
  }
}

/** The client; see the module doc. */
class HranaHttpClient implements Client {
  closed = false;
  readonly protocol = "http";

  constructor(
    readonly base: string,
    readonly authToken: string | undefined,
  ) {}

  #stream(): HranaStream {
    if (this.closed) throw new LibsqlError("Client is closed", "HRANA_CLOSED_ERROR");
    return new HranaStream(this.base, this.authToken);
  }

  async execute(stmt: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const statement = typeof stmt === "string" ? { sql: stmt, args: args ?? [] } : stmt;
    const request = { type: "execute", stmt: toStmt(statement) };
    const [answer] = await this.#stream().send([request], true);
    return toResultSet(responseOf(answer).result as Json);
  }

  async batch(stmts: Array<Statement>, mode: TransactionMode = "deferred") {
    return runBatch(this.#stream(), stmts, mode);
  }

  async migrate(stmts: Array<InStatement>) {
    return runBatch(this.#stream(), stmts, "deferred", true);
  }

  async transaction(mode: TransactionMode = "write"): Promise<Transaction> {
    return new HttpTransaction(this.#stream(), mode);
  }

  async executeMultiple(sql: string): Promise<void> {
    const [answer] = await this.#stream().send([{ type: "sequence", sql }], true);
    responseOf(answer);
  }

  sync(): never {
    throw new LibsqlError("sync not supported in http mode", "SYNC_NOT_SUPPORTED");
  }

  close(): void {
    this.closed = true;
  }

  reconnect(): void {
    this.closed = false;
  }
}

/** A client of the libSQL server at `url` (`libsql:`, `https:` or `http:`). */
export const createHttpClient = (config: {
  readonly url: string;
  readonly authToken?: string;
}): Client => {
  const url = new URL(config.url);
  const tls = url.searchParams.get("tls");
  const scheme = url.protocol === "libsql:" ? (tls === "0" ? "http:" : "https:") : url.protocol;
  if (scheme !== "http:" && scheme !== "https:") {
    throw new LibsqlError(
      `The HTTP client supports only "libsql:", "https:" and "http:" URLs, got ${JSON.stringify(url.protocol)}.`,
      "URL_SCHEME_NOT_SUPPORTED",
    );
  }
  const authToken = config.authToken ?? url.searchParams.get("authToken") ?? undefined;
  return new HranaHttpClient(`${scheme}//${url.host}${url.pathname}`, authToken);
};
