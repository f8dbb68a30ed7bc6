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
import { objectShape } from "../../model/object-shape";
import type { SourceRecord } from "../source-record";
import type { DelimitedRow } from "./delimited";
import type { RowBlock } from "./row-block";

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

/** Where each column is in a well-formed row, once the header is read. */
export interface RowLayout {
  /** Fields per row: the header's. */
  readonly width: number;
  /** The field position of each column the source reads (canonical names). */
  readonly positions: ReadonlyMap<string, number>;
}

interface Header {
  readonly names: ReadonlyArray<string | undefined>;
  readonly shape: Readonly<Record<string, string>>;
  readonly layout: RowLayout;
}

/** Maps rows to records once the header row has been read. */
export class DelimitedTable {
  /**
   * Undefined until the header is read; then the canonical column name per field position,
   * every mapped column in header order (copying `shape` gives each record its final shape
   * at once), and the layout.
   */
  #header: Header | undefined;

  constructor(readonly spec: TableSpec) {}

  /** Whether the header row has been read. */
  get hasHeader(): boolean {
    return this.#header !== undefined;
  }

  /** The layout of the rows, once the header is read. */
  get layout(): RowLayout | undefined {
    return this.#header?.layout;
  }

  /** The header for the first row, a record for every later row. */
  accept(row: DelimitedRow): Either.Either<SourceRecord | undefined, HeaderMismatch> {
    if (this.#header === undefined) {
      return Either.map(
        this.#readHeader(row.line, row.raw, row.fields, row.errors),
        () => undefined,
      );
    }
    return Either.right(
      this.#record(row.line, row.raw, row.fields, 0, row.fields.length, row.errors),
    );
  }

  /**
   * Reads the header from the block's first row if it has not been read yet; returns the
   * first row of the block that is data.
   */
  acceptHeader(block: RowBlock): Either.Either<number, HeaderMismatch> {
    if (this.#header !== undefined || block.count === 0) return Either.right(0);
    const header = this.#readHeader(
      block.lines[0] as number,
      block.raws[0] as string,
      block.fieldsOf(0),
      block.errorsOf(0) ?? NO_PROBLEMS,
    );
    return Either.map(header, () => 1);
  }

  /**
   * Why row `i` of the block cannot be mapped (broken quoting, the wrong number of fields),
   * or undefined when it is well-formed.
   */
  problemsOf(block: RowBlock, i: number): ReadonlyArray<string> | undefined {
    const errors = block.errorsOf(i);
    const width = block.widthOf(i);
    return errors === undefined && width === this.#header?.layout.width
      ? undefined
      : this.#problems(block.lines[i] as number, width, errors ?? NO_PROBLEMS);
  }

  /** Row `i` of the block as a record (after the header). */
  recordOf(block: RowBlock, i: number): SourceRecord {
    const start = block.starts[i] as number;
    return this.#record(
      block.lines[i] as number,
      block.raws[i] as string,
      block.fields,
      start,
      (block.starts[i + 1] as number) - start,
      block.errorsOf(i) ?? NO_PROBLEMS,
    );
  }

  #record(
    line: number,
    raw: string,
    values: ReadonlyArray<string>,
    start: number,
    count: number,
    errors: ReadonlyArray<string>,
  ): SourceRecord {
    const { names, shape, layout } = this.#header as Header;
    if (errors.length === 0 && count === layout.width) {
      const fields: Record<string, string> = { ...shape };
      for (let i = 0; i < names.length; i++) {
        const name = names[i];
        if (name !== undefined) fields[name] = values[start + i] ?? "";
      }
      return { index: line, raw, fields, problems: NO_PROBLEMS };
    }
    return { index: line, raw, fields: {}, problems: this.#problems(line, count, errors) };
  }

  #problems(line: number, count: number, errors: ReadonlyArray<string>): ReadonlyArray<string> {
    const width = this.#header?.layout.width ?? 0;
    const problems: Array<string> = errors.map((e) => `MALFORMED_ROW: ${e}`);
    if (count !== width) {
      problems.push(`MALFORMED_ROW: expected ${width} fields, got ${count} (line ${line})`);
    }
    return problems;
  }

  #readHeader(
    line: number,
    raw: string,
    fields: ReadonlyArray<string>,
    errors: ReadonlyArray<string>,
  ): Either.Either<void, HeaderMismatch> {
    const { delimiter, columns, optionalColumns = [] } = this.spec;
    const known = new Map([...columns, ...optionalColumns].map((c) => [c.toLowerCase(), c]));
    const seen = new Set<string>();
    const duplicates: Array<string> = [];
    const names = fields.map((field) => {
      const name = known.get(field.trim().toLowerCase());
      if (name !== undefined && seen.has(name)) duplicates.push(name);
      if (name !== undefined) seen.add(name);
      return name;
    });
    const missing = columns.filter((c) => !seen.has(c));
    if (missing.length === 0 && duplicates.length === 0 && errors.length === 0) {
      const positions = new Map<string, number>();
      names.forEach((name, i) => {
        if (name !== undefined) positions.set(name, i);
      });
      this.#header = {
        names,
        shape: objectShape([...positions.keys()], ""),
        layout: { width: names.length, positions },
      };
      return Either.void;
    }
    const other = guessDelimiter(raw, delimiter);
    const problems = [
      missing.length > 0 ? `missing column(s) ${missing.join(", ")}` : undefined,
      duplicates.length > 0 ? `duplicate column(s) ${duplicates.join(", ")}` : undefined,
      ...errors,
      other && missing.length > 0
        ? `the header looks ${DELIMITER_NAMES[other]}-delimited, this source reads ${DELIMITER_NAMES[delimiter] ?? JSON.stringify(delimiter)}-delimited text`
        : undefined,
    ].filter((p): p is string => p !== undefined);
    return Either.left(
      new HeaderMismatch({
        message: `header row (line ${line}) does not match: ${problems.join("; ")}; expected ${columns.join(delimiter)}`,
        header: raw.slice(0, 500),
      }),
    );
  }
}
