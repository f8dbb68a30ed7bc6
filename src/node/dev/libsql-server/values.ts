/** SQLite values inside the server and their Hrana JSON encoding. */
import { bad, record } from "./validate";

/** A SQLite value inside the server: INTEGER as bigint (all 64 bits), REAL as number. */
export type SqlValue = null | bigint | number | string | Uint8Array;

/** A value as it travels in JSON. */
export type JsonValue =
  | { type: "null" }
  | { type: "integer"; value: string }
  | { type: "float"; value: number }
  | { type: "text"; value: string }
  | { type: "blob"; base64: string };

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

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
