/**
 * Property-based tests (fast-check, fixed seeds) of every source parser: the parsing layer
 * (`src/core/ingest/parsing/*`) on its own, and every registered source through the real ingest path
 * into a libSQL file. Whatever the bytes — well-formed documents, truncated, flipped, in
 * another encoding, with a huge field or deep nesting, or random — the outcome is a report or
 * a typed source error, never a defect; `received = valid + quarantined`; every quarantined
 * record is in `core_quarantine`; and a readable document's records are all received.
 */

import { Either } from "effect";
import fc from "fast-check";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DelimitedReader, type DelimitedRow } from "../../src/core/ingest/parsing/delimited";
import { jsonRecord } from "../../src/core/ingest/parsing/json-records";
import { DelimitedTable } from "../../src/core/ingest/parsing/table";
import { Utf8Text } from "../../src/core/ingest/parsing/text";
import { FINRA_OTC_WEEKLY_COLUMNS } from "../../src/domains/finra_otc/source";
import { EXECUTION_CSV_COLUMNS } from "../../src/domains/trade_data/schema";
import {
  encode,
  encodings,
  executionCsv,
  finraPsv,
  flipBytes,
  SOURCE_DOCUMENTS,
  utf8,
} from "../fixtures/source-arbitraries";
import {
  closePropertyDb,
  expectAccounted,
  ingestPayload,
  openPropertyDb,
  outcomeTag,
  type PropertyDb,
} from "../fixtures/source-properties";

const SEED = 20_261_206;
/** Runs per property: the figures docs/reliability.md reports. */
const RUNS = { parser: 2_000, source: 300, mutation: 300, bytes: 200 } as const;

const tally: Array<string> = [];
const check = async <T>(
  name: string,
  runs: number,
  property: fc.IAsyncProperty<T> | fc.IProperty<T>,
) => {
  await fc.assert(property, { seed: SEED, numRuns: runs });
  tally.push(`${name} × ${runs}`);
};

afterAll(() => {
  process.stdout.write(`[properties] ${tally.length} properties:\n  ${tally.join("\n  ")}\n`);
});

/** Splits `whole` at the given relative cut points. */
const split = <T extends { slice(a: number, b?: number): T; length: number }>(
  whole: T,
  cuts: ReadonlyArray<number>,
): Array<T> => {
  const points = [...new Set(cuts.map((c) => Math.floor(c * whole.length)))].sort((a, b) => a - b);
  const parts: Array<T> = [];
  let at = 0;
  for (const p of points) {
    parts.push(whole.slice(at, p));
    at = p;
  }
  parts.push(whole.slice(at));
  return parts;
};
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 8 });

const readAll = (delimiter: string, parts: ReadonlyArray<string>) => {
  const reader = new DelimitedReader(delimiter);
  const rows: Array<DelimitedRow> = [];
  for (const part of parts) {
    const pushed = reader.push(part);
    if (Either.isLeft(pushed)) throw new Error("record too large");
    rows.push(...pushed.right);
  }
  rows.push(...reader.end());
  return rows;
};

describe("the parsing layer", () => {
  it("UTF-8 decoding does not depend on where the chunks are cut", async () => {
    await check(
      "Utf8Text: chunking invariance (valid UTF-8)",
      RUNS.parser,
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), cuts, (text, at) => {
        const bytes = utf8(text);
        const decoder = new Utf8Text();
        let out = "";
        let refused = false;
        for (const part of [...split(bytes, at).map((b) => decoder.decode(b)), decoder.end()]) {
          if (Either.isLeft(part)) refused = true;
          else out += part.right;
        }
        // NUL is refused as binary; a leading byte-order mark is dropped.
        expect(refused).toBe(text.includes("\u0000"));
        if (!refused) expect(out).toBe(text.replace(/^\uFEFF/, ""));
      }),
    );
  });

  it("invalid UTF-8 is refused however the chunks are cut", async () => {
    const invalid = fc.uint8Array({ minLength: 1, maxLength: 200 }).filter((b) => {
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(b);
        return false;
      } catch {
        return true;
      }
    });
    await check(
      "Utf8Text: invalid bytes always refused",
      RUNS.parser,
      fc.property(invalid, cuts, (bytes, at) => {
        const decoder = new Utf8Text();
        const results = [...split(bytes, at).map((b) => decoder.decode(b)), decoder.end()];
        expect(results.some(Either.isLeft)).toBe(true);
      }),
    );
  });

  it("delimited rows do not depend on where the text chunks are cut", async () => {
    await check(
      "DelimitedReader: chunking invariance (CSV and PSV)",
      RUNS.parser,
      fc.property(
        fc.oneof(
          executionCsv.map((d) => [",", d] as const),
          finraPsv.map((d) => ["|", d] as const),
        ),
        cuts,
        ([delimiter, doc], at) => {
          expect(readAll(delimiter, split(doc.text, at))).toEqual(readAll(delimiter, [doc.text]));
        },
      ),
    );
  });

  it("every data row of a delimited document becomes exactly one record", async () => {
    await check(
      "DelimitedReader + DelimitedTable: one record per row",
      RUNS.parser,
      fc.property(
        fc.oneof(
          executionCsv.map((d) => [",", EXECUTION_CSV_COLUMNS, d] as const),
          finraPsv.map((d) => ["|", FINRA_OTC_WEEKLY_COLUMNS, d] as const),
        ),
        cuts,
        ([delimiter, columns, doc], at) => {
          const table = new DelimitedTable({ delimiter, columns });
          const records = readAll(delimiter, split(doc.text, at)).flatMap((row) => {
            const accepted = table.accept(row);
            if (Either.isLeft(accepted)) throw new Error(accepted.left.message);
            return accepted.right === undefined ? [] : [accepted.right];
          });
          expect(records.length).toBe(doc.records);
          expect(new Set(records.map((r) => r.index)).size).toBe(records.length);
        },
      ),
    );
  });

  it("any JSON value becomes a record with its raw text, or a quarantinable problem", async () => {
    await check(
      "jsonRecord: total over JSON values",
      RUNS.parser,
      fc.property(fc.jsonValue({ maxDepth: 30 }), (value) => {
        const record = jsonRecord(0, value);
        expect(() => JSON.parse(record.raw)).not.toThrow();
        const isObject = typeof value === "object" && value !== null && !Array.isArray(value);
        expect(record.problems.length === 0).toBe(isObject);
      }),
    );
  });
});

describe("every source through the ingest path", () => {
  // A database per property, so one property's rows do not slow the next one's counts.
  let p: PropertyDb;
  beforeEach(async () => {
    p = await openPropertyDb();
  });
  afterEach(async () => {
    await closePropertyDb(p);
  });

  for (const { source, format, document } of SOURCE_DOCUMENTS) {
    it(`${source}: a well-formed document's records are all received and accounted for`, async () => {
      await check(
        `${source}: well-formed documents, any chunking`,
        RUNS.source,
        fc.asyncProperty(document, fc.integer({ min: 1, max: 4_096 }), async (doc, chunk) => {
          const outcome = await ingestPayload(p, source, utf8(doc.text), { chunkBytes: chunk });
          const report = expectAccounted(outcome);
          // Text with a NUL character is refused whole as binary (src/core/ingest/parsing/text.ts).
          if (doc.text.includes("\u0000")) {
            expect(outcomeTag(outcome)).toBe("PermanentSourceError");
            return;
          }
          expect(outcomeTag(outcome)).toBe("ok");
          expect(report?.counts.received).toBe(doc.records);
        }),
      );
    });

    it(`${source}: damaged or re-encoded documents end typed and accounted for`, async () => {
      const damage = fc.oneof(
        fc.record({
          kind: fc.constant("truncate" as const),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.record({
          kind: fc.constant("flip" as const),
          flips: fc.array(
            fc.tuple(
              fc.double({ min: 0, max: 0.999, noNaN: true }),
              fc.integer({ min: 0, max: 255 }),
            ),
            { minLength: 1, maxLength: 4 },
          ),
        }),
        fc.record({ kind: fc.constant("encoding" as const), encoding: encodings }),
        fc.record({
          kind: fc.constant("huge" as const),
          length: fc.integer({ min: 65_536, max: 1_500_000 }),
        }),
        fc.record({
          kind: fc.constant("nested" as const),
          depth: fc.integer({ min: 1, max: 200_000 }),
        }),
      );
      await check(
        `${source}: truncated / flipped / re-encoded / huge field / deep nesting`,
        RUNS.mutation,
        fc.asyncProperty(document, damage, async (doc, d) => {
          let bytes: Uint8Array;
          let expectAll = false;
          if (d.kind === "truncate")
            bytes = utf8(doc.text).subarray(0, Math.floor(d.at * utf8(doc.text).length));
          else if (d.kind === "flip") bytes = flipBytes(utf8(doc.text), d.flips);
          else if (d.kind === "encoding") {
            bytes = encode(doc.text, d.encoding);
            expectAll = d.encoding === "utf8-bom";
          } else {
            // A huge string, or nested arrays, as the value of the document's first field.
            const filler =
              d.kind === "huge"
                ? "x".repeat(d.length)
                : `${"[".repeat(d.depth)}${"]".repeat(d.depth)}`;
            const text =
              format === "json"
                ? doc.text.replace(
                    ":",
                    `:${d.kind === "huge" ? JSON.stringify(filler) : filler},"_f":`,
                  )
                : doc.text.replace(/\n/, `\n${filler}`);
            bytes = utf8(text);
          }
          const outcome = await ingestPayload(p, source, bytes, { chunkBytes: 65_536 });
          const report = expectAccounted(outcome);
          if (expectAll) expect(report?.counts.received).toBe(doc.records);
          if (d.kind === "truncate" || d.kind === "flip") {
            if (report) expect(report.counts.received).toBeLessThanOrEqual(doc.records + 1);
          }
        }),
      );
    });

    it(`${source}: random bytes end typed and accounted for`, async () => {
      await check(
        `${source}: random bytes`,
        RUNS.bytes,
        fc.asyncProperty(fc.uint8Array({ maxLength: 4_096 }), async (bytes) => {
          expectAccounted(await ingestPayload(p, source, bytes));
        }),
      );
    });
  }
});
