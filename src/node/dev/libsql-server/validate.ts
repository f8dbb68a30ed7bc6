/**
 * Checks for untrusted JSON request bodies: each either returns the typed value or throws a
 * `ProtocolError` naming what was wrong.
 */
import { ProtocolError } from "./errors";

export type Json = Readonly<Record<string, unknown>>;

export const isRecord = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const bad = (what: string): never => {
  throw new ProtocolError(`Invalid request: ${what}`);
};

export const record = (v: unknown, what: string): Json =>
  isRecord(v) ? v : bad(`${what} is not an object`);

export const list = (v: unknown, what: string): readonly unknown[] =>
  v === undefined || v === null ? [] : Array.isArray(v) ? v : bad(`${what} is not an array`);

export const optString = (v: unknown, what: string): string | undefined =>
  v === undefined || v === null
    ? undefined
    : typeof v === "string"
      ? v
      : bad(`${what} is not a string`);

export const optInt = (v: unknown, what: string): number | undefined =>
  v === undefined || v === null
    ? undefined
    : Number.isSafeInteger(v) && typeof v === "number"
      ? v
      : bad(`${what} is not an integer`);

export const int = (v: unknown, what: string): number =>
  optInt(v, what) ?? bad(`${what} is missing`);
