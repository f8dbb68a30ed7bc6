/**
 * Records of a JSON document: one per array element (or per entry of a keyed object).
 */
import { showValue, violation } from "../../model/contracts";
import type { SourceRecord } from "../source-record";

const isObject = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A record from one JSON value at `index`. A value that is not an object is kept (raw) with a
 * `REQUIRED_FIELDS` problem, so it is quarantined rather than dropped. `extra` fields (e.g.
 * the ticker of the envelope) are added to the record's fields and to its raw text.
 */
export const jsonRecord = (
  index: number,
  value: unknown,
  extra: Readonly<Record<string, unknown>> = {},
): SourceRecord => {
  const hasExtra = Object.keys(extra).length > 0;
  const raw = JSON.stringify(hasExtra ? { ...extra, record: value } : value) ?? "null";
  return isObject(value)
    ? { index, raw, fields: { ...value, ...extra }, problems: [] }
    : {
        index,
        raw,
        fields: extra,
        problems: [
          violation("REQUIRED_FIELDS", `record must be a JSON object, got ${showValue(value)}`),
        ],
      };
};

/** Whether a JSON value is an object (not an array, not null). */
export const isJsonObject = isObject;
