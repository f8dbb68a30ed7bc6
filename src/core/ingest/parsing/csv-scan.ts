/**
 * The delimited-text scanner under `DelimitedReader`: splits text into rows of fields, RFC
 * 4180 quoting included (a field that starts with `"` may hold delimiters, line breaks and
 * `""` for a quote), with the lenient readings the ingest path has always applied (the
 * papaparse 5 parser's, checked by a differential test against it):
 *
 * - a quote inside an unquoted field is text (`ab"c`);
 * - blanks between a closing quote and the delimiter or line break are skipped;
 * - a closing quote followed by anything else is an `InvalidQuotes` problem of the row, and
 *   the field goes on to the next quote that does close it (the stray quote kept);
 * - a quoted field still open when the text ends is a `MissingQuotes` problem, and its
 *   value is the rest of the text as it stands;
 * - rows are split on `\n` only; the reader drops a `\r` before it.
 *
 * Not final (more text may follow), the scan stops before a row the text does not finish,
 * which the caller scans again, whole, with the next chunk.
 */

export type RowProblem = "InvalidQuotes" | "MissingQuotes";

/** Receives each row: its fields, its problems, and the index just past its line break. */
export type RowSink = (
  fields: Array<string>,
  problems: ReadonlyArray<RowProblem>,
  end: number,
) => void;

const QUOTE = '"';
const NEWLINE = "\n";
const ESCAPED_QUOTE = /""/g;
const NONE: ReadonlyArray<RowProblem> = Object.freeze([]);

/**
 * Blanks (`String.prototype.trim`'s whitespace) from `from` up to `to`: their count when
 * there is nothing else, otherwise (or with no `to`) 0.
 */
const blanksBefore = (text: string, from: number, to: number): number => {
  if (to <= from) return 0;
  const between = text.slice(from, to);
  return between.trim() === "" ? between.length : 0;
};

/**
 * Scans `text` for rows; returns the index where the unscanned rest begins (the text's
 * length when `final`).
 */
export const scanRows = (
  text: string,
  delimiter: string,
  final: boolean,
  onRow: RowSink,
): number => {
  const length = text.length;
  let done = 0; // end of the last row handed out
  let at = 0; // start of the current field
  let fields: Array<string> = [];
  let problems: Array<RowProblem> | undefined;
  // The next delimiter and line break at or after `at` (-1: none left), kept between fields.
  let nextDelimiter = text.indexOf(delimiter, 0);
  let nextNewline = text.indexOf(NEWLINE, 0);

  const problem = (p: RowProblem) => {
    if (problems === undefined) problems = [p];
    else problems.push(p);
  };
  const endRow = (end: number) => {
    onRow(fields, problems ?? NONE, end);
    fields = [];
    problems = undefined;
    done = end;
    at = end;
    nextNewline = text.indexOf(NEWLINE, end);
    if (nextDelimiter !== -1 && nextDelimiter < end) nextDelimiter = text.indexOf(delimiter, end);
  };
  /** The text ends inside the current row: the rest is its last field, or is left. */
  const endText = (last: string, unterminated = false): number => {
    if (!final) return done;
    if (unterminated) problem("MissingQuotes");
    fields.push(last);
    onRow(fields, problems ?? NONE, length);
    return length;
  };

  if (length === 0) return 0;
  for (;;) {
    if (text.charCodeAt(at) !== 34 /* " */) {
      if (nextDelimiter !== -1 && (nextNewline === -1 || nextDelimiter < nextNewline)) {
        fields.push(text.slice(at, nextDelimiter));
        at = nextDelimiter + delimiter.length;
        nextDelimiter = text.indexOf(delimiter, at);
      } else if (nextNewline !== -1) {
        fields.push(text.slice(at, nextNewline));
        endRow(nextNewline + 1);
      } else {
        return endText(text.slice(at));
      }
      continue;
    }
    // A quoted field: find the quote that closes it.
    const content = at + 1;
    let quote = at;
    for (;;) {
      quote = text.indexOf(QUOTE, quote + 1);
      if (quote === -1) return endText(text.slice(content), true);
      if (quote === length - 1) {
        return endText(text.slice(content, quote).replace(ESCAPED_QUOTE, QUOTE));
      }
      const after = quote + 1;
      if (text.charCodeAt(after) === 34) {
        quote = after; // `""`: a quote inside the field
        continue;
      }
      if (nextDelimiter !== -1 && nextDelimiter < after) {
        nextDelimiter = text.indexOf(delimiter, after);
      }
      if (nextNewline !== -1 && nextNewline < after) nextNewline = text.indexOf(NEWLINE, after);
      const fieldEnd =
        nextNewline === -1
          ? nextDelimiter
          : nextDelimiter === -1
            ? -1
            : Math.min(nextDelimiter, nextNewline);
      const toDelimiter = after + blanksBefore(text, after, fieldEnd);
      if (text.startsWith(delimiter, toDelimiter)) {
        fields.push(text.slice(content, quote).replace(ESCAPED_QUOTE, QUOTE));
        at = toDelimiter + delimiter.length;
        if (nextDelimiter !== -1 && nextDelimiter < at) nextDelimiter = text.indexOf(delimiter, at);
        if (nextNewline !== -1 && nextNewline < at) nextNewline = text.indexOf(NEWLINE, at);
        break;
      }
      const toNewline = after + blanksBefore(text, after, nextNewline);
      if (nextNewline !== -1 && toNewline === nextNewline) {
        fields.push(text.slice(content, quote).replace(ESCAPED_QUOTE, QUOTE));
        endRow(nextNewline + 1);
        break;
      }
      problem("InvalidQuotes");
      quote = after; // the next character is not a quote: search on past it
    }
  }
};

/**
 * Text without a quote character: one row per line, split on the delimiter. Returns where
 * the unscanned rest begins, as `scanRows` does.
 */
export const splitLines = (
  text: string,
  delimiter: string,
  final: boolean,
  onRow: RowSink,
): number => {
  if (text.length === 0) return 0;
  let start = 0;
  for (;;) {
    const newline = text.indexOf(NEWLINE, start);
    if (newline === -1) {
      if (!final) return start;
      onRow(text.slice(start).split(delimiter), NONE, text.length);
      return text.length;
    }
    onRow(text.slice(start, newline).split(delimiter), NONE, newline + 1);
    start = newline + 1;
  }
};
