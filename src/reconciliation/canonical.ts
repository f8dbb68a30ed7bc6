/**
 * Canonical records and canonical JSONL: the byte form replays are hashed and compared in.
 *
 * A canonical record is a flat row of a pipeline's output without its audit columns. Its
 * line is JSON with keys in code-unit order (nested objects too), one record per line, `\n`
 * after every line; rows are ordered by the pipeline's key fields. Equal records ⇒ equal
 * bytes, whatever order they were produced or stored in.
 */
import * as Layer from "effect/Layer";
import type { CanonicalRecord } from "../core/model/canonical-record";
import { OutputDigest, type OutputDigestStream } from "../core/pipeline/output-digest";
import { Sha256, sha256Of } from "./incremental-sha256";

export type { CanonicalRecord };

/** A field value of a canonical record (decimals are text, never floats). */
export type CanonicalValue = string | number | boolean | null;

const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort(byCodeUnit)
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/** JSON text of a value with every object's keys sorted. */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value)) ?? "null";

/** One JSONL line (with its newline). */
export const canonicalLine = (record: CanonicalRecord): string => `${canonicalJson(record)}\n`;

/** The key of a record as text, for ordering and matching (`\u0000`-joined canonical JSON). */
export const keyText = (record: Readonly<Record<string, unknown>>, key: ReadonlyArray<string>) =>
  key.map((field) => canonicalJson(record[field] ?? null)).join("\u0000");

/** Records in stable row order: by their key fields, then by their whole line. */
export const sortRecords = <R extends CanonicalRecord>(
  records: ReadonlyArray<R>,
  key: ReadonlyArray<string>,
): ReadonlyArray<R> =>
  records
    .map((record) => ({ record, k: keyText(record, key), line: canonicalJson(record) }))
    .sort((a, b) => byCodeUnit(a.k, b.k) || byCodeUnit(a.line, b.line))
    .map((entry) => entry.record);

/** Drops fields (audit columns) from a row. */
export const omitFields = (
  row: Readonly<Record<string, unknown>>,
  fields: ReadonlySet<string>,
): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).filter(([field]) => !fields.has(field)));

/** The canonical JSONL of records already in key order, and its sha256. */
export const canonicalText = (records: ReadonlyArray<CanonicalRecord>) => {
  const text = records.map(canonicalLine).join("");
  return { text, sha256: sha256Of(text) };
};

/**
 * The hash of a partition's stored canonical output: what the runner records in the
 * manifest (`metadata.output`) right after a capture, and what a replay must reproduce.
 */
export const storedOutputHash = (
  key: ReadonlyArray<string>,
  rows: ReadonlyArray<CanonicalRecord>,
) => ({ sha256: canonicalText(sortRecords(rows, key)).sha256, records: rows.length });

/**
 * `storedOutputHash` of records fed in canonical order, page by page, in bounded memory. Each
 * record is checked against the one before it by the order `sortRecords` uses, so records
 * that arrive out of order are refused (`add` answers false) rather than hashed in the wrong
 * order. In order, the JSONL is byte for byte that of `sortRecords`: records that compare
 * equal have equal lines, so their relative order does not show.
 */
export const streamingOutputHash = (key: ReadonlyArray<string>): OutputDigestStream => {
  const hash = new Sha256();
  let records = 0;
  let lastKey: string | undefined;
  let lastLine = "";
  let refused = false;
  return {
    add: (rows) => {
      if (refused) return false;
      let text = "";
      for (const record of rows) {
        const k = keyText(record, key);
        const line = canonicalJson(record);
        if (lastKey !== undefined && (byCodeUnit(lastKey, k) || byCodeUnit(lastLine, line)) > 0) {
          refused = true;
          return false;
        }
        text += `${line}\n`;
        lastKey = k;
        lastLine = line;
      }
      hash.update(text);
      records += rows.length;
      return true;
    },
    result: () => ({ sha256: hash.hex(), records }),
  };
};

/** The `OutputDigest` service the runner records a capture's output hash with. */
export const OutputDigestLive = Layer.succeed(OutputDigest, {
  ofStored: storedOutputHash,
  streaming: streamingOutputHash,
});
