/**
 * Field-level diffs of two records and of two batches keyed by one or more fields.
 *
 * Audit and metadata fields are ignored (configurable). Values are compared by meaning, not
 * by spelling: decimals exactly (`150.00` = `150.0` = `150`), JSON numbers within a few ulps
 * (a float artefact is not a difference), ISO timestamps as instants (`…Z` = `….000Z`), and
 * per field an absolute / relative tolerance for numbers or a tolerance in milliseconds for
 * timestamps.
 */
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import { compareDecimal, type Decimal, parseDecimal } from "../core/model/decimal";
import { canonicalJson, keyText } from "./canonical";

/** Fields every output row carries for lineage; never a difference. */
export const AUDIT_FIELDS: ReadonlyArray<string> = [
  "capture_id",
  "captured_at",
  "execution_id",
  "batch_id",
  "created_at",
  "updated_at",
  "ingested_at",
];

/** How far apart two values of one field may be and still be equal. */
export interface FieldTolerance {
  /** Numbers: |a − b| ≤ absolute. */
  readonly absolute?: number;
  /** Numbers: |a − b| ≤ relative × max(|a|, |b|). */
  readonly relative?: number;
  /** ISO timestamps: |a − b| ≤ this many milliseconds. */
  readonly timestampMs?: number;
}

export interface DiffOptions {
  /** Fields never compared. Default {@link AUDIT_FIELDS}. */
  readonly ignore?: ReadonlyArray<string>;
  /** Per-field tolerances. */
  readonly tolerances?: Readonly<Record<string, FieldTolerance>>;
  /** Ulps two JSON numbers may differ by without a tolerance. Default 4. */
  readonly ulps?: number;
}

/** One differing field. */
export interface FieldDiff {
  readonly old: unknown;
  readonly new: unknown;
}

/** Differing fields only, by field name (sorted). */
export type RecordDiff = Readonly<Record<string, FieldDiff>>;

const NUMBER_TEXT = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

const asDecimal = (value: unknown): Decimal | undefined => {
  if (typeof value === "number")
    return Number.isFinite(value) ? parseDecimal(String(value)) : undefined;
  if (typeof value === "string" && NUMBER_TEXT.test(value.trim())) return parseDecimal(value);
  return undefined;
};

const asInstant = (value: unknown): number | undefined =>
  typeof value === "string" && ISO_INSTANT.test(value) ? Date.parse(value) : undefined;

const withinNumeric = (
  a: number,
  b: number,
  tolerance: FieldTolerance | undefined,
  ulps: number,
) => {
  const delta = Math.abs(a - b);
  const scale = Math.max(Math.abs(a), Math.abs(b));
  if (tolerance?.absolute !== undefined && delta <= tolerance.absolute) return true;
  if (tolerance?.relative !== undefined && delta <= tolerance.relative * scale) return true;
  return delta <= ulps * Number.EPSILON * scale;
};

/** Whether two field values are equal under the options (see the module doc). */
export const sameValue = (
  a: unknown,
  b: unknown,
  tolerance?: FieldTolerance,
  ulps = 4,
): boolean => {
  const left = a === undefined ? null : a;
  const right = b === undefined ? null : b;
  if (left === right) return true;
  if (left === null || right === null) return false;
  const da = asDecimal(left);
  const db = asDecimal(right);
  if (da !== undefined && db !== undefined) {
    if (compareDecimal(da, db) === 0) return true;
    // Two JSON numbers may be one float artefact apart; decimal text is compared exactly
    // unless a tolerance allows more.
    const floats = typeof left === "number" && typeof right === "number";
    const hasTolerance = tolerance?.absolute !== undefined || tolerance?.relative !== undefined;
    return (
      (floats || hasTolerance) &&
      withinNumeric(Number(da), Number(db), tolerance, floats ? ulps : 0)
    );
  }
  const ta = asInstant(left);
  const tb = asInstant(right);
  if (ta !== undefined && tb !== undefined) {
    return Math.abs(ta - tb) <= (tolerance?.timestampMs ?? 0);
  }
  return canonicalJson(left) === canonicalJson(right);
};

/** The fields of two records that differ, `{field: {old, new}}`; empty when they agree. */
export const diffRecords = (
  oldRecord: Readonly<Record<string, unknown>>,
  newRecord: Readonly<Record<string, unknown>>,
  options: DiffOptions = {},
): RecordDiff => {
  const ignore = new Set(options.ignore ?? AUDIT_FIELDS);
  const fields = [...new Set([...Object.keys(oldRecord), ...Object.keys(newRecord)])]
    .filter((f) => !ignore.has(f))
    .sort();
  const out: Record<string, FieldDiff> = {};
  for (const field of fields) {
    const a = oldRecord[field];
    const b = newRecord[field];
    if (!sameValue(a, b, options.tolerances?.[field], options.ulps)) {
      out[field] = { old: a === undefined ? null : a, new: b === undefined ? null : b };
    }
  }
  return out;
};

/** Two records of one batch share a key. */
export class DuplicateKey extends Data.TaggedError("DuplicateKey")<{
  readonly side: "old" | "new";
  readonly key: Readonly<Record<string, unknown>>;
  readonly message: string;
}> {}

export interface BatchDiffOptions extends DiffOptions {
  /** Fields that identify a record in both batches. */
  readonly key: ReadonlyArray<string>;
}

/** A record present in both batches whose fields differ. */
export interface ModifiedRecord {
  readonly key: Readonly<Record<string, unknown>>;
  readonly diffs: RecordDiff;
}

/** Counts of a batch diff. */
export interface BatchDiffSummary {
  readonly old: number;
  readonly new: number;
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
  readonly unchanged: number;
}

/** `added` (only in new), `removed` (only in old), `modified`, each in key order. */
export interface BatchDiff {
  readonly key: ReadonlyArray<string>;
  readonly added: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly removed: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly modified: ReadonlyArray<ModifiedRecord>;
  readonly summary: BatchDiffSummary;
}

const index = (
  side: "old" | "new",
  records: ReadonlyArray<Readonly<Record<string, unknown>>>,
  key: ReadonlyArray<string>,
) => {
  const byKey = new Map<string, Readonly<Record<string, unknown>>>();
  for (const record of records) {
    const k = keyText(record, key);
    if (byKey.has(k)) {
      const keyValues = Object.fromEntries(key.map((f) => [f, record[f] ?? null]));
      throw new DuplicateKey({
        side,
        key: keyValues,
        message: `${side} batch has more than one record with key ${canonicalJson(keyValues)}`,
      });
    }
    byKey.set(k, record);
  }
  return byKey;
};

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Compares two batches by `key`. Throws `DuplicateKey` when a batch repeats a key (the
 * comparison would be ambiguous); {@link diffBatchesEffect} fails with it instead.
 */
export const diffBatches = (
  oldRecords: ReadonlyArray<Readonly<Record<string, unknown>>>,
  newRecords: ReadonlyArray<Readonly<Record<string, unknown>>>,
  options: BatchDiffOptions,
): BatchDiff => {
  if (options.key.length === 0) throw new Error("diffBatches: key needs at least one field");
  const before = index("old", oldRecords, options.key);
  const after = index("new", newRecords, options.key);
  const keyOf = (record: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(options.key.map((f) => [f, record[f] ?? null]));
  const added: Array<[string, Readonly<Record<string, unknown>>]> = [];
  const removed: Array<[string, Readonly<Record<string, unknown>>]> = [];
  const modified: Array<[string, ModifiedRecord]> = [];
  let unchanged = 0;
  for (const [k, record] of after) {
    const previous = before.get(k);
    if (previous === undefined) {
      added.push([k, record]);
      continue;
    }
    const diffs = diffRecords(previous, record, options);
    if (Object.keys(diffs).length === 0) unchanged += 1;
    else modified.push([k, { key: keyOf(record), diffs }]);
  }
  for (const [k, record] of before) if (!after.has(k)) removed.push([k, record]);
  const sorted = <T>(entries: Array<[string, T]>) =>
    entries.sort(([a], [b]) => byText(a, b)).map(([, v]) => v);
  return {
    key: options.key,
    added: sorted(added),
    removed: sorted(removed),
    modified: sorted(modified),
    summary: {
      old: before.size,
      new: after.size,
      added: added.length,
      removed: removed.length,
      modified: modified.length,
      unchanged,
    },
  };
};

/** {@link diffBatches} as an effect failing with `DuplicateKey`. */
export const diffBatchesEffect = (
  oldRecords: ReadonlyArray<Readonly<Record<string, unknown>>>,
  newRecords: ReadonlyArray<Readonly<Record<string, unknown>>>,
  options: BatchDiffOptions,
): Effect.Effect<BatchDiff, DuplicateKey> =>
  Effect.try({
    try: () => diffBatches(oldRecords, newRecords, options),
    catch: (error) => {
      if (error instanceof DuplicateKey) return error;
      throw error;
    },
  });

/** Whether a batch diff found nothing. */
export const isClean = (diff: BatchDiff): boolean =>
  diff.summary.added === 0 && diff.summary.removed === 0 && diff.summary.modified === 0;

/** How many lines two outputs share position by position (two replays: `differing` = 0). */
export const compareLines = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) => {
  let matching = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] === b[i]) matching += 1;
  return { matching, differing: Math.max(a.length, b.length) - matching };
};
