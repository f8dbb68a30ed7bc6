/**
 * Hrana-over-HTTP JSON (protocol versions 2 and 3): request decoding with full validation,
 * value and error encoding, and the small SQL scanner the server needs instead of a parser.
 */

/** A SQLite value inside the server: INTEGER as bigint (all 64 bits), REAL as number. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** Hrana version of the endpoint a request came through. */
export type HranaVersion = 2 | 3;

/** A statement to execute; exactly one of `sql` and `sqlId` is set. */
export interface Stmt {
  readonly sql: string | undefined;
  readonly sqlId: number | undefined;
  readonly args: readonly SqlValue[];
  readonly namedArgs: ReadonlyMap<string, SqlValue>;
  readonly wantRows: boolean;
}

/** Condition guarding a batch step. */
export type BatchCond =
  | { readonly type: "ok" | "error"; readonly step: number }
  | { readonly type: "not"; readonly cond: BatchCond }
  | { readonly type: "and" | "or"; readonly conds: readonly BatchCond[] }
  | { readonly type: "is_autocommit" };

/** One step of a batch. */
export interface BatchStep {
  readonly condition: BatchCond | undefined;
  readonly stmt: Stmt;
}

/** A request inside a pipeline. */
export type StreamRequest =
  | { readonly type: "close" | "get_autocommit" }
  | { readonly type: "execute"; readonly stmt: Stmt }
  | { readonly type: "batch"; readonly steps: readonly BatchStep[] }
  | {
      readonly type: "sequence" | "describe";
      readonly sql: string | undefined;
      readonly sqlId: number | undefined;
    }
  | { readonly type: "store_sql"; readonly sqlId: number; readonly sql: string }
  | { readonly type: "close_sql"; readonly sqlId: number };

/** Body of `POST /v2/pipeline` and `POST /v3/pipeline`. */
export interface PipelineRequest {
  readonly baton: string | null;
  readonly requests: readonly StreamRequest[];
}

/** Body of `POST /v3/cursor`. */
export interface CursorRequest {
  readonly baton: string | null;
  readonly steps: readonly BatchStep[];
}

/** A value as it travels in JSON. */
export type JsonValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

/** An error as it travels in JSON. */
export interface ProtoError {
  readonly message: string;
  readonly code: string;
}

/** A result column. */
export interface Col {
  readonly name: string | null;
  readonly decltype: string | null;
}

/** Result of one executed statement. */
export interface StmtResult {
  readonly cols: readonly Col[];
  readonly rows: readonly (readonly JsonValue[])[];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
}

/** Result of a batch: per step either a result, an error, or neither (skipped). */
export interface BatchResult {
  readonly step_results: readonly (StmtResult | null)[];
  readonly step_errors: readonly (ProtoError | null)[];
}

/** Result of `describe`. */
export interface DescribeResult {
  readonly params: readonly { readonly name: string | null }[];
  readonly cols: readonly Col[];
  readonly is_explain: boolean;
  readonly is_readonly: boolean;
}

/** Successful response to a pipeline request. */
export type StreamResponse =
  | { type: "close" | "sequence" | "store_sql" | "close_sql" }
  | { type: "execute"; result: StmtResult }
  | { type: "batch"; result: BatchResult }
  | { type: "describe"; result: DescribeResult }
  | { type: "get_autocommit"; is_autocommit: boolean };

/** Outcome of one pipeline request. */
export type StreamResult =
  | { type: "ok"; response: StreamResponse }
  | { type: "error"; error: ProtoError };

/**
 * A request the client should never send (bad JSON, unknown baton, missing `sql_id`...).
 * It fails the whole HTTP request and closes the stream, like sqld.
 */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = "PROTOCOL_ERROR",
    readonly status = 400,
  ) {
    super(message);
  }
}

/** An error of one statement or request, reported in its result; the stream stays usable. */
export class StmtError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Json = Readonly<Record<string, unknown>>;

const isRecord = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const bad = (what: string): never => {
  throw new ProtocolError(`Invalid request: ${what}`);
};

const record = (v: unknown, what: string): Json =>
  isRecord(v) ? v : bad(`${what} is not an object`);

const list = (v: unknown, what: string): readonly unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : bad(`${what} is not an array`);

const optString = (v: unknown, what: string): string | undefined =>
  v === undefined || v === null
    ? undefined
    : typeof v === "string"
      ? v
      : bad(`${what} is not a string`);

const optInt = (v: unknown, what: string): number | undefined =>
  v === undefined || v === null
    ? undefined
    : Number.isSafeInteger(v) && typeof v === "number"
      ? v
      : bad(`${what} is not an integer`);

const int = (v: unknown, what: string): number => optInt(v, what) ?? bad(`${what} is missing`);

/** Decodes a JSON value; integers must fit in 64 bits, blobs are base64. */
export function decodeValue(v: unknown): SqlValue {
  const o = record(v, "value");
  switch (o.type) {
    case "null":
      return null;
    case "integer": {
      const raw = o.value;
      const text = typeof raw === "number" && Number.isSafeInteger(raw) ? String(raw) : raw;
      if (typeof text !== "string" || !/^-?\d{1,20}$/.test(text)) return bad("integer value");
      const n = BigInt(text);
      return n < MIN_I64 || n > MAX_I64 ? bad("integer out of 64-bit range") : n;
    }
    case "float":
      return typeof o.value === "number" ? o.value : bad("float value");
    case "text":
      return typeof o.value === "string" ? o.value : bad("text value");
    case "blob": {
      const b64 = o.base64 ?? "";
      if (typeof b64 !== "string" || !BASE64.test(b64)) return bad("blob base64");
      return new Uint8Array(Buffer.from(b64, "base64"));
    }
    default:
      return bad("unknown value type");
  }
}

/** Encodes a value read with safe integers (INTEGER is bigint, REAL is number). */
export function encodeValue(v: unknown): JsonValue {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  if (typeof v === "number") return { type: "float", value: v };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof ArrayBuffer) return { type: "blob", base64: Buffer.from(v).toString("base64") };
  if (ArrayBuffer.isView(v)) {
    const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    return { type: "blob", base64: bytes.toString("base64") };
  }
  throw new TypeError(`unexpected SQLite value of type ${typeof v}`);
}

/** Maps anything thrown while running SQL to a Hrana error (SQLite's own code when it has one). */
export function toProtoError(e: unknown): ProtoError {
  if (e instanceof StmtError) return { message: e.message, code: e.code };
  const message = e instanceof Error ? e.message : String(e);
  const code = isRecord(e) ? e.code : undefined;
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return { message: `SQLite error: ${message}`, code };
  }
  return { message, code: "INTERNAL_ERROR" };
}

function decodeStmt(v: unknown): Stmt {
  const o = record(v, "stmt");
  const namedArgs = new Map<string, SqlValue>();
  for (const arg of list(o.named_args, "named_args")) {
    const a = record(arg, "named arg");
    const name = optString(a.name, "named arg name") ?? bad("named arg name is missing");
    namedArgs.set(name, decodeValue(a.value));
  }
  const wantRows = o.want_rows ?? true;
  return {
    sql: optString(o.sql, "sql"),
    sqlId: optInt(o.sql_id, "sql_id"),
    args: list(o.args, "args").map(decodeValue),
    namedArgs,
    wantRows: typeof wantRows === "boolean" ? wantRows : bad("want_rows"),
  };
}

function decodeCond(v: unknown, step: number, version: HranaVersion): BatchCond {
  const o = record(v, "condition");
  const stepRef = (s: unknown): number => {
    const n = int(s, "condition step");
    // Conditions may only look back: a step's outcome is unknown before it has run.
    return n >= 0 && n < step ? n : bad("condition refers to a step that has not run");
  };
  switch (o.type) {
    case "ok":
    case "error":
      return { type: o.type, step: stepRef(o.step) };
    case "not":
      return { type: "not", cond: decodeCond(o.cond, step, version) };
    case "and":
    case "or":
      return {
        type: o.type,
        conds: list(o.conds, "conds").map((c) => decodeCond(c, step, version)),
      };
    case "is_autocommit":
      return version >= 3 ? { type: "is_autocommit" } : bad("is_autocommit needs Hrana 3");
    default:
      return bad("unknown condition type");
  }
}

function decodeSteps(v: unknown, version: HranaVersion): BatchStep[] {
  return list(record(v, "batch").steps, "steps").map((s, i) => {
    const o = record(s, "batch step");
    const condition = o.condition == null ? undefined : decodeCond(o.condition, i, version);
    return { condition, stmt: decodeStmt(o.stmt) };
  });
}

function decodeRequest(v: unknown, version: HranaVersion): StreamRequest {
  const o = record(v, "stream request");
  switch (o.type) {
    case "close":
      return { type: "close" };
    case "get_autocommit":
      return version >= 3 ? { type: "get_autocommit" } : bad("get_autocommit needs Hrana 3");
    case "execute":
      return { type: "execute", stmt: decodeStmt(o.stmt) };
    case "batch":
      return { type: "batch", steps: decodeSteps(o.batch, version) };
    case "sequence":
    case "describe":
      return { type: o.type, sql: optString(o.sql, "sql"), sqlId: optInt(o.sql_id, "sql_id") };
    case "store_sql":
      return {
        type: "store_sql",
        sqlId: int(o.sql_id, "sql_id"),
        sql: optString(o.sql, "sql") ?? bad("sql is missing"),
      };
    case "close_sql":
      return { type: "close_sql", sqlId: int(o.sql_id, "sql_id") };
    default:
      return bad("unknown request type");
  }
}

const baton = (v: unknown): string | null => optString(v, "baton") ?? null;

/** Validates a pipeline body. */
export function decodePipeline(body: unknown, version: HranaVersion): PipelineRequest {
  const o = record(body, "body");
  if (!Array.isArray(o.requests)) return bad("requests is not an array");
  return { baton: baton(o.baton), requests: o.requests.map((r) => decodeRequest(r, version)) };
}

/** Validates a cursor body. */
export function decodeCursor(body: unknown): CursorRequest {
  const o = record(body, "body");
  return { baton: baton(o.baton), steps: decodeSteps(o.batch, 3) };
}

/** What the server must know about one SQL statement; SQLite itself does the real parsing. */
export interface SqlInfo {
  readonly text: string;
  /** Parameter names by index (`:a`, `?3`...), `null` for a bare `?`, as SQLite numbers them. */
  readonly params: readonly (string | null)[];
  /** Main keyword, upper case; for `WITH ...` the statement the CTEs feed. */
  readonly verb: string;
  readonly isExplain: boolean;
  /** Changes connection state a later stream must not inherit (PRAGMA, ATTACH, TEMP). */
  readonly dirty: boolean;
}

interface Token {
  readonly kind: "word" | "quoted" | "param" | ";" | "(" | ")" | "other";
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const ID_START = /[A-Za-z_\u0080-\uffff]/;
const ID_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const MAIN_VERBS = new Set(["SELECT", "VALUES", "INSERT", "REPLACE", "UPDATE", "DELETE"]);

function* tokenize(sql: string): Generator<Token> {
  let i = 0;
  const at = (j: number): string => sql[j] ?? "";
  while (i < sql.length) {
    const c = at(i);
    const start = i++;
    let kind: Token["kind"] = "other";
    if (/\s/.test(c)) continue;
    if (c === "-" && at(i) === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? sql.length : eol + 1;
      continue;
    }
    if (c === "/" && at(i) === "*") {
      const close = sql.indexOf("*/", i + 1);
      i = close < 0 ? sql.length : close + 2;
      continue;
    }
    if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      // A doubled quote is an escaped quote, except inside [brackets].
      while (i < sql.length && !(at(i) === close && (close === "]" || at(++i) !== close))) i++;
      if (c === "[" && i < sql.length) i++;
      kind = c === "'" ? "other" : "quoted";
    } else if (c === "?") {
      while (/[0-9]/.test(at(i))) i++;
      kind = "param";
    } else if ((c === ":" || c === "@" || c === "$") && ID_CHAR.test(at(i))) {
      while (ID_CHAR.test(at(i)) || (c === "$" && at(i) === ":" && at(i + 1) === ":")) i++;
      kind = "param";
    } else if (ID_START.test(c)) {
      while (ID_CHAR.test(at(i))) i++;
      kind = "word";
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(at(i)))) {
      while (/[0-9A-Za-z_.]/.test(at(i))) i++;
    } else if (c === ";" || c === "(" || c === ")") {
      kind = c;
    }
    yield { kind, text: sql.slice(start, i), start, end: i };
  }
}

class StatementBuilder {
  first: Token | undefined;
  last: Token | undefined;
  readonly words: string[] = [];
  readonly params: (string | null)[] = [];
  readonly named = new Map<string, number>();
  depth = 0;
  verb = "";

  add(t: Token): void {
    this.first ??= t;
    this.last = t;
    if (t.kind === "(" || t.kind === ")") this.depth += t.kind === "(" ? 1 : -1;
    if (t.kind === "word") {
      const word = t.text.toUpperCase();
      if (this.words.length < 3) this.words.push(word);
      if (this.words.length === 1) this.verb = word;
      else if (this.verb === "WITH" && this.depth === 0 && MAIN_VERBS.has(word)) this.verb = word;
    } else if (t.kind === "param") this.addParam(t.text);
  }

  // Mirrors SQLite's numbering: `?` takes the next index, `?N` index N, a name keeps its first.
  addParam(p: string): void {
    if (p === "?") this.params.push(null);
    else if (p.startsWith("?")) {
      const index = Number(p.slice(1));
      if (index < 1 || index > 32766) return; // SQLite rejects it when preparing
      while (this.params.length < index) this.params.push(null);
      this.params[index - 1] ??= p;
    } else if (!this.named.has(p)) {
      this.params.push(p);
      this.named.set(p, this.params.length);
    }
  }

  // A trigger body holds `;`s; like sqlite3_complete(), only `END ;` closes it.
  endsAt(): boolean {
    const [a, b, c] = this.words;
    const temp = b === "TEMP" || b === "TEMPORARY";
    const trigger = a === "CREATE" && (b === "TRIGGER" || (temp && c === "TRIGGER"));
    return !trigger || this.last?.text.toUpperCase() === "END";
  }

  build(sql: string): SqlInfo {
    const [a, b] = this.words;
    return {
      text: sql.slice(this.first?.start ?? 0, this.last?.end ?? 0),
      params: this.params,
      verb: this.verb,
      isExplain: a === "EXPLAIN",
      dirty:
        ["PRAGMA", "ATTACH", "DETACH"].includes(this.verb) || b === "TEMP" || b === "TEMPORARY",
    };
  }
}

/** Splits SQL text into statements, skipping empty ones (only comments or `;`). */
export function scanSql(sql: string): SqlInfo[] {
  const out: SqlInfo[] = [];
  let current = new StatementBuilder();
  for (const t of tokenize(sql)) {
    if (t.kind === ";" && current.first !== undefined && current.endsAt()) {
      out.push(current.build(sql));
      current = new StatementBuilder();
    } else if (t.kind !== ";" || current.first !== undefined) {
      current.add(t);
    }
  }
  if (current.first !== undefined) out.push(current.build(sql));
  return out;
}

/** The one statement of an `execute`/`describe`/batch step, as sqld insists. */
export function scanSingle(sql: string): SqlInfo {
  const [info, ...rest] = scanSql(sql);
  if (info === undefined)
    throw new StmtError("SQL string does not contain any statement", "SQL_NO_STATEMENT");
  if (rest.length > 0) {
    throw new StmtError("SQL string contains more than one statement", "SQL_MANY_STATEMENTS");
  }
  return info;
}
