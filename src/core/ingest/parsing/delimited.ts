/**
 * Incremental CSV / PSV reading: text goes in chunk by chunk, complete rows come out with
 * the line they start on and their raw text, in memory bounded by the largest record.
 *
 * Quote-free text (the common case of a feed) is split here, straight into a `RowBlock`: lines
 * on `\n`, fields on the delimiter, with no array or object per row. Text with a quote goes
 * through our scanner (`csv-scan.ts`: RFC 4180 quoting, with the lenient readings of
 * malformed quotes documented there; it replaced papaparse, whose readings it keeps, and a
 * differential test feeds both the same text). Each push reads the carried-over tail plus the
 * new chunk; a row cut by the chunk boundary is read again, whole, with the next chunk.
 *
 * Line breaks: rows end at `\n`; a `\r` before it (CRLF) is removed from the row, so LF, CRLF
 * and mixed files read the same. A byte-order mark at the start is dropped. A blank line is
 * not a record.
 */

import * as Data from "effect/Data";
import * as Either from "effect/Either";
import { type RowProblem, scanRows } from "./csv-scan";
import { RowBlock } from "./row-block";

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

const NEWLINE = 10;
const CR = 13;
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
  ) {
    // Rows end at line breaks and quoted fields start with a quote: neither can delimit.
    if (delimiter.length === 0 || /[\r\n"]/.test(delimiter)) {
      throw new Error(`unusable delimiter ${JSON.stringify(delimiter)}`);
    }
  }

  /** Adds a chunk of text; returns the rows it completed. */
  push(text: string): Either.Either<ReadonlyArray<DelimitedRow>, RecordTooLarge> {
    const block = new RowBlock();
    return Either.map(this.pushInto(text, block), rowsOf);
  }

  /** Ends the input; returns the last row, if the text did not end with a line break. */
  end(): ReadonlyArray<DelimitedRow> {
    const block = new RowBlock();
    this.endInto(block);
    return rowsOf(block);
  }

  /** Like `push`, but the completed rows replace the contents of `block`. */
  pushInto(text: string, block: RowBlock): Either.Either<RowBlock, RecordTooLarge> {
    block.clear();
    let chunk = text;
    if (!this.#started && chunk.length > 0) {
      this.#started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    const pending = this.#pending;
    if (pending.length > 0 && pending.indexOf(QUOTE) === -1 && chunk.indexOf(QUOTE) === -1) {
      // The pending line ends at the chunk's first line break: read on its own, so the chunk
      // is not copied into one new string with it.
      const newline = chunk.indexOf("\n");
      if (newline === -1) this.#pending = pending + chunk;
      else {
        this.#parseQuoteFree(pending + chunk.slice(0, newline + 1), 0, false, block);
        this.#parseQuoteFree(chunk, newline + 1, false, block);
      }
    } else this.#parse(pending + chunk, false, block);
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
    return Either.right(block);
  }

  /** Like `end`, but the last row replaces the contents of `block`. */
  endInto(block: RowBlock): RowBlock {
    block.clear();
    const rest = this.#pending;
    this.#pending = "";
    if (rest.length > 0) this.#parse(rest, true, block);
    return block;
  }

  /** Lines consumed so far (the line the next row would start on). */
  get line(): number {
    return this.#line;
  }

  #parse(input: string, final: boolean, block: RowBlock): void {
    if (input.indexOf(QUOTE) === -1) this.#parseQuoteFree(input, 0, final, block);
    else this.#parseQuoted(input, final, block);
  }

  /**
   * Text without a quote character, from `from` on: every line is a row, its fields what lies
   * between delimiters. `nextDelimiter` only moves forward, so the text is scanned once however
   * many lines lack a delimiter.
   */
  #parseQuoteFree(input: string, from: number, final: boolean, block: RowBlock): void {
    const delimiter = this.delimiter;
    const step = delimiter.length;
    let start = from;
    let nextDelimiter = input.indexOf(delimiter, from);
    while (start <= input.length) {
      let newline = input.indexOf("\n", start);
      if (newline === -1) {
        // The last, unterminated line waits for the next chunk, or is the final row.
        if (!final) break;
        newline = input.length;
      }
      const line = this.#line;
      this.#line += 1;
      const end = newline > start && input.charCodeAt(newline - 1) === CR ? newline - 1 : newline;
      let field = start;
      while (nextDelimiter !== -1 && nextDelimiter < end) {
        block.addField(input.slice(field, nextDelimiter));
        field = nextDelimiter + step;
        nextDelimiter = input.indexOf(delimiter, field);
      }
      const last = input.slice(field, end);
      // A line of one blank field is a blank line: no record.
      if (field !== start || last.trim() !== "") {
        block.addField(last);
        block.endRow(line, field === start ? last : input.slice(start, end), undefined);
      }
      start = newline + 1;
    }
    this.#pending = final ? "" : input.slice(start);
  }

  /** Quoted text: the scanner's rows, whose ends give each row's raw text and line count. */
  #parseQuoted(input: string, final: boolean, block: RowBlock): void {
    let start = 0;
    const cursor = scanRows(input, this.delimiter, final, (fields, problems, end) => {
      const line = this.#line;
      this.#line += countNewlines(input, start, end);
      let rawEnd = end > start && input.charCodeAt(end - 1) === NEWLINE ? end - 1 : end;
      const rowStart = start;
      start = end;
      const last = fields.length - 1;
      if (rawEnd > rowStart && input.charCodeAt(rawEnd - 1) === CR) {
        rawEnd -= 1;
        const value = fields[last];
        if (value?.endsWith("\r")) fields[last] = value.slice(0, -1);
      }
      if (fields.length <= 1 && (fields[0] ?? "").trim() === "") return;
      for (const field of fields) block.addField(field);
      block.endRow(
        line,
        input.slice(rowStart, rawEnd),
        problems.length === 0 ? undefined : problems.map((p) => ERROR_TEXT[p]),
      );
    });
    this.#pending = final ? "" : input.slice(cursor);
  }
}

const NO_ERRORS: ReadonlyArray<string> = Object.freeze([]);

/** The rows of a block as objects (tests, and callers that want rows one by one). */
const rowsOf = (block: RowBlock): ReadonlyArray<DelimitedRow> => {
  const rows: Array<DelimitedRow> = [];
  for (let i = 0; i < block.count; i++) {
    rows.push({
      line: block.lines[i] as number,
      raw: block.raws[i] as string,
      fields: block.fieldsOf(i),
      errors: block.errorsOf(i) ?? NO_ERRORS,
    });
  }
  return rows;
};
