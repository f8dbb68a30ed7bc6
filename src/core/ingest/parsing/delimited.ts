/**
 * Incremental CSV / PSV reading: text goes in chunk by chunk, complete rows come out with
 * the line they start on and their raw text, in memory bounded by the largest record.
 *
 * The rows come from our own scanner (`csv-scan.ts`: RFC 4180 quoting, with the lenient
 * readings of malformed quotes documented there); it replaced papaparse, whose readings it
 * keeps (a differential test feeds both the same text), to keep the Worker small. Each push
 * scans the carried-over tail plus the new chunk; a row cut by the chunk boundary is scanned
 * again, whole, with the next chunk.
 *
 * Line breaks: rows split on `\n`; a `\r` before it (CRLF) is removed from the row, so LF,
 * CRLF and mixed files read the same. A byte-order mark at the start is dropped.
 */

import * as Data from "effect/Data";
import * as Either from "effect/Either";
import { type RowProblem, scanRows, splitLines } from "./csv-scan";

/** One row of delimited text. */
export interface DelimitedRow {
  /** 1-based line on which the row starts (a quoted field may span lines). */
  readonly line: number;
  /** The row's text as received, without its line break. */
  readonly raw: string;
  readonly fields: ReadonlyArray<string>;
  /** Quoting problems of this row (`unterminated quoted field`, …). */
  readonly errors: ReadonlyArray<string>;
}

/** A record grew past the limit: almost always an unterminated quote swallowing the file. */
export class RecordTooLarge extends Data.TaggedError("RecordTooLarge")<{
  readonly line: number;
  readonly chars: number;
  readonly limit: number;
  readonly excerpt: string;
}> {}

/** Longest record accepted, in characters. Default 1 MiB. */
export const DEFAULT_MAX_RECORD_CHARS = 1 << 20;

const ERROR_TEXT: Readonly<Record<RowProblem, string>> = {
  MissingQuotes: "unterminated quoted field (file cut short?)",
  InvalidQuotes: "malformed quotes: a closing quote is not followed by a delimiter or line end",
};

const NO_ERRORS: ReadonlyArray<string> = Object.freeze([]);

const NEWLINE = 10;
const QUOTE = '"';

/** Line breaks in `text` between `start` and `end`. */
const countNewlines = (text: string, start: number, end: number): number => {
  let n = 0;
  for (let i = text.indexOf("\n", start); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) n++;
  return n;
};

/** Reads delimited text incrementally; see the module doc. */
export class DelimitedReader {
  #pending = "";
  /** Line number at the start of `#pending`. */
  #line = 1;
  #started = false;

  constructor(
    readonly delimiter: string,
    readonly maxRecordChars: number = DEFAULT_MAX_RECORD_CHARS,
  ) {}

  /** Adds a chunk of text; returns the rows it completed. */
  push(text: string): Either.Either<ReadonlyArray<DelimitedRow>, RecordTooLarge> {
    let chunk = text;
    if (!this.#started && chunk.length > 0) {
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const rows = this.#parse(this.#pending + chunk, false);
    if (this.#pending.length > this.maxRecordChars) {
      return Either.left(
        new RecordTooLarge({
          line: this.#line,
          chars: this.#pending.length,
          limit: this.maxRecordChars,
          excerpt: this.#pending.slice(0, 200),
        }),
      );
    }
    return Either.right(rows);
  }

  /** Ends the input; returns the last row, if the text did not end with a line break. */
  end(): ReadonlyArray<DelimitedRow> {
    const rest = this.#pending;
    this.#pending = "";
    return rest.length === 0 ? [] : this.#parse(rest, true);
  }

  /** Lines consumed so far (the line the next row would start on). */
  get line(): number {
    return this.#line;
  }

  #parse(input: string, final: boolean): ReadonlyArray<DelimitedRow> {
    const rows: Array<DelimitedRow> = [];
    let start = 0;
    const quoted = input.indexOf(QUOTE) !== -1;
    const cursor = (quoted ? scanRows : splitLines)(
      input,
      this.delimiter,
      final,
      (fields, problems, end) => {
        const line = this.#line;
        // A row of quote-free text is one line; a quoted field may span several.
        this.#line += quoted ? countNewlines(input, start, end) : 1;
        const raw = this.#row(
          input,
          start,
          end > start && input.charCodeAt(end - 1) === NEWLINE ? end - 1 : end,
          fields,
        );
        start = end;
        if (raw === undefined) return;
        rows.push({
          line,
          raw,
          fields,
          errors: problems.length === 0 ? NO_ERRORS : problems.map((p) => ERROR_TEXT[p]),
        });
      },
    );
    this.#pending = final ? "" : input.slice(cursor);
    return rows;
  }

  /**
   * The raw text of the row at `input[start, end)` without a CR before its line break (also
   * dropped from its last field); undefined for a blank line, which separates nothing and
   * carries nothing, so it is not a record.
   */
  #row(input: string, start: number, end: number, fields: Array<string>): string | undefined {
    let raw = input.slice(start, end);
    if (raw.endsWith("\r")) {
      raw = raw.slice(0, -1);
      const last = fields.length - 1;
      const value = fields[last];
      if (value?.endsWith("\r")) fields[last] = value.slice(0, -1);
    }
    return fields.length <= 1 && (fields[0] ?? "").trim() === "" ? undefined : raw;
  }
}
