/**
 * Hrana's JSON values and statement results, converted as `@libsql/client` converts them
 * (`intMode: "number"`): numbers are sent as floats and booleans as integers; integers come
 * back as numbers (a RangeError past 2^53), blobs as `ArrayBuffer`, and each row holds its
 * values by index (hidden) and by column name.
 */
import type { InArgs, InStatement, InValue, ResultSet, Row, Value } from "@libsql/client";

export type Json = Record<string, unknown>;

/** Bytes in base64 (Hrana's blob encoding). */
export const base64 = (bytes: Uint8Array): string => {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
};

const MIN_INTEGER = -(2n ** 63n);
const MAX_INTEGER = 2n ** 63n - 1n;

/** An argument as a Hrana value. */
export const toValue = (value: InValue): Json => {
  if (value === null) return { type: "null" };
  if (typeof value === "string") return { type: "text", value };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new RangeError("Only finite numbers (not Infinity or NaN) can be passed as arguments");
    }
    return { type: "float", value };
  }
  if (typeof value === "bigint") {
    if (value < MIN_INTEGER || value > MAX_INTEGER) {
      throw new RangeError(
        "This bigint value is too large to be represented as a 64-bit integer and passed as argument",
      );
    }
    return { type: "integer", value: `${value}` };
  }
  if (typeof value === "boolean") return { type: "integer", value: value ? "1" : "0" };
  if (value instanceof ArrayBuffer) return { type: "blob", base64: base64(new Uint8Array(value)) };
  if (value instanceof Uint8Array) return { type: "blob", base64: base64(value) };
  if (value instanceof Date) return { type: "float", value: value.valueOf() };
  if (typeof value === "object") return { type: "text", value: String(value) };
  throw new TypeError("Unsupported type of value");
};

/** A Hrana value as the client returns it. */
const fromValue = (value: Json): Value => {
  switch (value.type) {
    case "null":
      return null;
    case "integer": {
      const n = Number(value.value);
      if (!Number.isSafeInteger(n)) {
        throw new RangeError(
          "Received integer which is too large to be safely represented as a JavaScript number",
        );
      }
      return n;
    }
    case "blob":
      return Uint8Array.from(atob(String(value.base64)), (c) => c.charCodeAt(0)).buffer;
    default:
      return value.value as Value;
  }
};

/** A statement as Hrana's `Stmt`. */
export const toStmt = (stmt: InStatement | [string, InArgs?]): Json => {
  const [sql, args] = Array.isArray(stmt)
    ? stmt
    : typeof stmt === "string"
      ? [stmt, undefined]
      : [stmt.sql, stmt.args];
  const named = args !== undefined && !Array.isArray(args);
  return {
    sql,
    args: Array.isArray(args) ? args.map(toValue) : [],
    named_args: named
      ? Object.entries(args).map(([name, value]) => ({ name, value: toValue(value) }))
      : [],
    want_rows: true,
  };
};

class Results implements ResultSet {
  constructor(
    readonly columns: Array<string>,
    readonly columnTypes: Array<string>,
    readonly rows: Array<Row>,
    readonly rowsAffected: number,
    readonly lastInsertRowid: bigint | undefined,
  ) {}

  toJSON() {
    const json = (v: Value) => (v instanceof ArrayBuffer ? base64(new Uint8Array(v)) : v);
    return {
      columns: this.columns,
      columnTypes: this.columnTypes,
      rows: this.rows.map((row) =>
        Array.from({ length: row.length }, (_, i) => json(row[i] ?? null)),
      ),
      rowsAffected: this.rowsAffected,
      lastInsertRowid: this.lastInsertRowid === undefined ? null : `${this.lastInsertRowid}`,
    };
  }
}

const rowOf = (names: ReadonlyArray<string | undefined>, values: ReadonlyArray<Json>): Row => {
  const row = {} as Row;
  Object.defineProperty(row, "length", { value: values.length });
  for (let i = 0; i < values.length; i++) {
    const value = fromValue(values[i] as Json);
    Object.defineProperty(row, i, { value });
    const name = names[i];
    if (name !== undefined && !Object.hasOwn(row, name)) {
      Object.defineProperty(row, name, {
        value,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
  }
  return row;
};

/** A Hrana `StmtResult` as a result set. */
export const toResultSet = (result: Json): ResultSet => {
  const cols = result.cols as ReadonlyArray<{ name?: string | null; decltype?: string | null }>;
  const names = cols.map((c) => c.name ?? undefined);
  const rowid = result.last_insert_rowid;
  return new Results(
    names.map((n) => n ?? ""),
    cols.map((c) => c.decltype ?? ""),
    (result.rows as ReadonlyArray<ReadonlyArray<Json>>).map((values) => rowOf(names, values)),
    result.affected_row_count as number,
    typeof rowid === "string" ? BigInt(rowid) : undefined,
  );
};
