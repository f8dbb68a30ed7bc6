/** Validation of Hrana request bodies into the typed requests of `./protocol`. */
import type {
  BatchCond,
  BatchStep,
  CursorRequest,
  HranaVersion,
  PipelineRequest,
  Stmt,
  StreamRequest,
} from "./protocol";
import { bad, int, list, optInt, optString, record } from "./validate";
import { decodeValue, type SqlValue } from "./values";

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
