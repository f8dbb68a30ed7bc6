/**
 * Differential property tests (fast-check, fixed seed) of our delimited-text reader against
 * the papaparse-based one it replaced (`test/fixtures/papaparse-reader.ts`): the same text,
 * cut into the same chunks, gives the same rows (line, raw text, fields, quoting problems)
 * and the same `RecordTooLarge` refusals. Inputs: the documents the CSV and PSV sources
 * accept, rows built field by field (quoted or not, escaped quotes, embedded line breaks,
 * CRLF, BOM, empty fields, ragged rows), and soups of the characters that matter to quoting.
 */
import { Either } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelimitedReader } from "../../src/core/ingest/parsing/delimited";
import { PapaparseReader } from "../fixtures/papaparse-reader";
import { executionCsv, finraPsv } from "../fixtures/source-arbitraries";

const SEED = 20_261_207;

interface Reader {
  push(text: string): Either.Either<ReadonlyArray<unknown>, unknown>;
  end(): ReadonlyArray<unknown>;
}

/** Everything a reader returns for the parts, up to and including a refusal. */
const outputs = (reader: Reader, parts: ReadonlyArray<string>): Array<unknown> => {
  const out: Array<unknown> = [];
  for (const part of parts) {
    const pushed = reader.push(part);
    out.push(pushed);
    if (Either.isLeft(pushed)) return out;
  }
  out.push(reader.end());
  return out;
};

/** Splits `text` at the given relative cut points (sorted, duplicates dropped). */
const split = (text: string, cuts: ReadonlyArray<number>): Array<string> => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * text.length)))].sort((a, b) => a - b);
  const parts: Array<string> = [];
  let at = 0;
  for (const p of points) {
    parts.push(text.slice(at, p));
    at = p;
  }
  parts.push(text.slice(at));
  return parts;
};

const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 });
const delimiter = fc.constantFrom(",", "|");
/** The default limit, or one small enough for generated rows to pass it. */
const maxChars = fc.constantFrom(undefined, 8, 40);

const expectSame = (
  d: string,
  text: string,
  at: ReadonlyArray<number>,
  limit: number | undefined,
) => {
  const parts = split(text, at);
  const ours = outputs(new DelimitedReader(d, limit), parts);
  const theirs = outputs(new PapaparseReader(d, limit), parts);
  expect(ours).toEqual(theirs);
};

/** The characters and sequences quoting depends on. */
const token = fc.constantFrom(
  '"',
  '""',
  '"""',
  ",",
  "|",
  "\n",
  "\r\n",
  "\r",
  " ",
  "\t",
  "a",
  "bc",
  "1.5",
  "\uFEFF",
  "\u00e9",
  "\u{1F600}",
  "\u00a0",
);
const soup = fc.array(token, { maxLength: 60 }).map((t) => t.join(""));

/** One field: bare, or quoted with its quotes doubled; sometimes with a stray quote. */
const field = (d: string) =>
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom("", " ", "x", "1", "AAPL", "a b", 'say "hi"', `a${d}b`, "two\nlines"),
        fc.string({ maxLength: 8 }),
      ),
      fc.constantFrom("bare", "quoted", "quoted", "stray", "padded"),
    )
    .map(([value, how]) => {
      const quoted = `"${value.replaceAll('"', '""')}"`;
      if (how === "quoted") return quoted;
      if (how === "stray") return `"${value}"x`;
      if (how === "padded") return `${quoted}  `;
      return value.replaceAll("\n", " ");
    });

/** Rows of 0–6 fields (ragged), joined with LF or CRLF, with or without BOM and last break. */
const rows = (d: string) =>
  fc
    .tuple(
      fc.array(fc.array(field(d), { maxLength: 6 }), { maxLength: 8 }),
      fc.constantFrom("\n", "\r\n"),
      fc.boolean(),
      fc.boolean(),
    )
    .map(
      ([rs, eol, bom, last]) =>
        (bom ? "\uFEFF" : "") + rs.map((r) => r.join(d)).join(eol) + (last ? eol : ""),
    );

describe("DelimitedReader parses as the papaparse reader did", () => {
  it("the documents the CSV and PSV sources accept, however they are chunked", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          executionCsv.map((doc) => [",", doc.text] as const),
          finraPsv.map((doc) => ["|", doc.text] as const),
        ),
        cuts,
        ([d, text], at) => expectSame(d, text, at, undefined),
      ),
      { seed: SEED, numRuns: 1_500 },
    );
  });

  it("rows built field by field: quoted, escaped, embedded breaks, CRLF, BOM, ragged", () => {
    fc.assert(
      fc.property(
        delimiter.chain((d) => fc.tuple(fc.constant(d), rows(d))),
        cuts,
        maxChars,
        ([d, text], at, limit) => expectSame(d, text, at, limit),
      ),
      { seed: SEED, numRuns: 5_000 },
    );
  });

  it("soups of quotes, delimiters, line breaks, blanks and BOMs", () => {
    fc.assert(
      fc.property(delimiter, soup, cuts, maxChars, (d, text, at, limit) =>
        expectSame(d, text, at, limit),
      ),
      { seed: SEED, numRuns: 10_000 },
    );
  });

  it("agrees on hand-picked edge cases", () => {
    const cases = [
      "",
      "\n",
      "a,b\r\n1,2\r\n",
      '"a""b",c\n',
      '"multi\nline",x\n"unterminated,y\n',
      '"a"b,c\n',
      '"a"  ,b\n"c"\t\r\nd',
      '"a" x "b",c',
      'x,"a"',
      'x,"a" ',
      'x,"a"\r',
      '""',
      '"',
      '"""',
      'ab"c,d\n',
      "\uFEFFa,b\n\n\n1,2",
      ",,\n,\n",
    ];
    for (const text of cases) {
      for (const d of [",", "|"]) {
        for (let cut = 0; cut <= text.length; cut++) {
          expectSame(d, text, text.length === 0 ? [] : [cut / text.length], undefined);
        }
      }
    }
  });
});
