/**
 * Delimited rows → source records, against the header row.
 *
 * The header decides the whole file: when a required column is missing (a CSV handed to the
 * PSV source, a different export layout), no row can be mapped, so the payload is refused
 * once with a `HeaderMismatch` (a typed permanent error upstream) instead of quarantining
 * every line with the same reason — a mis-delimited 1 GiB file must not be copied into
 * `core_quarantine`. Rows with the wrong number of fields or broken quoting are records with
 * `MALFORMED_ROW` problems: they are quarantined, and the file goes on.
 */
import * as Data from "effect/Data";
import * as Either from "effect/Either";
import type { SourceRecord } from "../source";
import type { DelimitedRow } from "./delimited";

/** The header row does not carry the columns the source needs. */
export class HeaderMismatch extends Data.TaggedError("HeaderMismatch")<{
  readonly message: string;
  readonly header: string;
}> {}

export interface TableSpec {
  readonly delimiter: string;
  readonly columns: ReadonlyArray<string>;
  readonly optionalColumns?: ReadonlyArray<string>;
}

const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  ",": "comma",
  "|": "pipe",
  "\t": "tab",
  ";": "semicolon",
};

const guessDelimiter = (header: string, expected: string): string | undefined =>
  Object.keys(DELIMITER_NAMES).find((d) => d !== expected && header.includes(d));

const NO_PROBLEMS: ReadonlyArray<string> = Object.freeze([]);

/** Maps rows to records once the header row has been read. */
export class DelimitedTable {
  /**
   * Undefined until the header is read; then the canonical column name per field position,
   * and every mapped column in header order (copying `shape` gives each record its final
   * shape at once).
   */
  #header:
    | {
        readonly positions: ReadonlyArray<string | undefined>;
        readonly shape: Readonly<Record<string, string>>;
      }
    | undefined;

  constructor(readonly spec: TableSpec) {}

  /** Whether the header row has been read. */
  get hasHeader(): boolean {
    return this.#header !== undefined;
  }

  /** The header for the first row, a record for every later row. */
  accept(row: DelimitedRow): Either.Either<SourceRecord | undefined, HeaderMismatch> {
    if (this.#header === undefined) {
      return Either.map(this.#readHeader(row), (positions) => {
        const shape = Object.fromEntries(
          positions.filter((p) => p !== undefined).map((p) => [p, ""]),
        );
        this.#header = { positions, shape };
        return undefined;
      });
    }
    const { positions, shape } = this.#header;
    if (row.errors.length === 0 && row.fields.length === positions.length) {
      const fields: Record<string, string> = { ...shape };
      for (let i = 0; i < positions.length; i++) {
        const name = positions[i];
        if (name !== undefined) fields[name] = row.fields[i] ?? "";
      }
      return Either.right({ index: row.line, raw: row.raw, fields, problems: NO_PROBLEMS });
    }
    const fields: Record<string, string> = {};
    const problems: Array<string> = row.errors.map((e) => `MALFORMED_ROW: ${e}`);
    if (row.fields.length !== positions.length) {
      problems.push(
        `MALFORMED_ROW: expected ${positions.length} fields, got ${row.fields.length} (line ${row.line})`,
      );
    }
    return Either.right({ index: row.line, raw: row.raw, fields, problems });
  }

  #readHeader(row: DelimitedRow): Either.Either<ReadonlyArray<string | undefined>, HeaderMismatch> {
    const { delimiter, columns, optionalColumns = [] } = this.spec;
    const known = new Map([...columns, ...optionalColumns].map((c) => [c.toLowerCase(), c]));
    const seen = new Set<string>();
    const duplicates: Array<string> = [];
    const positions = row.fields.map((field) => {
      const name = known.get(field.trim().toLowerCase());
      if (name !== undefined && seen.has(name)) duplicates.push(name);
      if (name !== undefined) seen.add(name);
      return name;
    });
    const missing = columns.filter((c) => !seen.has(c));
    if (missing.length === 0 && duplicates.length === 0 && row.errors.length === 0) {
      return Either.right(positions);
    }
    const other = guessDelimiter(row.raw, delimiter);
    const problems = [
      missing.length > 0 ? `missing column(s) ${missing.join(", ")}` : undefined,
      duplicates.length > 0 ? `duplicate column(s) ${duplicates.join(", ")}` : undefined,
      ...row.errors,
      other && missing.length > 0
        ? `the header looks ${DELIMITER_NAMES[other]}-delimited, this source reads ${DELIMITER_NAMES[delimiter] ?? JSON.stringify(delimiter)}-delimited text`
        : undefined,
    ].filter((p): p is string => p !== undefined);
    return Either.left(
      new HeaderMismatch({
        message: `header row (line ${row.line}) does not match: ${problems.join("; ")}; expected ${columns.join(delimiter)}`,
        header: row.raw.slice(0, 500),
      }),
    );
  }
}
