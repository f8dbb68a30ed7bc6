/**
 * The streaming output hash (`streamingOutputHash`, the `OutputDigest` service's `streaming`):
 * records fed page by page in canonical order hash to exactly `storedOutputHash` of the same
 * records, and records out of canonical order are refused, never hashed in the wrong order.
 * Property-based over odd keys (characters around `"`, escapes, controls, astral and
 * U+E000–U+FFFF, numbers, booleans, nulls), with a fixed seed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CanonicalRecord } from "../../src/core/model/canonical-record";
import {
  sortRecords,
  storedOutputHash,
  streamingOutputHash,
} from "../../src/reconciliation/canonical";
import { sha256Of } from "../../src/reconciliation/incremental-sha256";
import { ORDER_EDGE_CHARACTERS } from "../fixtures/order-characters";

const SEED = 20_261_208;

/** The order-breaking characters, and some that only a hash in memory meets (NUL, lone surrogates). */
const ODD = [
  ...ORDER_EDGE_CHARACTERS,
  "",
  "\n",
  "\u0000",
  "\u001f",
  "Z",
  "~",
  "\u2028",
  "\uD7FF",
  "\u{10FFFF}",
  "\uD800",
];

const oddText = fc.array(fc.constantFrom(...ODD), { maxLength: 4 }).map((parts) => parts.join(""));
const keyValue = fc.oneof(
  { weight: 6, arbitrary: oddText },
  fc.integer({ min: -3, max: 3 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
);
const record = fc.record({
  k1: keyValue,
  k2: keyValue,
  value: fc.oneof(oddText, fc.integer(), fc.constant(null)),
}) as fc.Arbitrary<CanonicalRecord>;
const keyArb = fc.constantFrom(["k1"], ["k1", "k2"], ["k2", "k1"]);
/** Page sizes: records are cut into pages of these lengths, cycling (empty pages included). */
const pageSizes = fc
  .array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 })
  .filter((sizes) => sizes.some((n) => n > 0));

const pagesOf = (records: ReadonlyArray<CanonicalRecord>, sizes: ReadonlyArray<number>) => {
  const pages: Array<ReadonlyArray<CanonicalRecord>> = [];
  for (let at = 0, i = 0; at < records.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    pages.push(records.slice(at, at + size));
    at += size;
  }
  return pages;
};

/** The streamed digest of `pages`, or undefined when a page was refused. */
const streamed = (
  key: ReadonlyArray<string>,
  pages: ReadonlyArray<ReadonlyArray<CanonicalRecord>>,
) => {
  const digest = streamingOutputHash(key);
  for (const page of pages) if (!digest.add(page)) return undefined;
  return digest.result();
};

/** Byte order of each key field's raw UTF-8 (SQLite's `ORDER BY` of TEXT), then as given. */
const utf8Order = (records: ReadonlyArray<CanonicalRecord>, key: ReadonlyArray<string>) =>
  [...records].sort((a, b) => {
    for (const field of key) {
      const c = Buffer.compare(Buffer.from(String(a[field])), Buffer.from(String(b[field])));
      if (c !== 0) return c;
    }
    return 0;
  });

describe("streamingOutputHash", () => {
  it("hashes records in canonical order, in any pages, to storedOutputHash", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 30 }), keyArb, pageSizes, (records, key, sizes) => {
        const expected = storedOutputHash(key, records);
        const got = streamed(key, pagesOf(sortRecords(records, key), sizes));
        expect(got).toEqual(expected);
      }),
      { seed: SEED, numRuns: 2_000 },
    );
  });

  it("in any other order, hashes to storedOutputHash or refuses", () => {
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(record, { maxLength: 30 }),
        keyArb,
        pageSizes,
        fc.boolean(),
        (records, key, sizes, byUtf8) => {
          const order = byUtf8 ? utf8Order(records, key) : records;
          const got = streamed(key, pagesOf(order, sizes));
          if (got === undefined) refused += 1;
          else {
            accepted += 1;
            expect(got).toEqual(storedOutputHash(key, records));
          }
        },
      ),
      { seed: SEED, numRuns: 3_000 },
    );
    // Both outcomes were exercised, so neither branch holds vacuously.
    expect(refused).toBeGreaterThan(100);
    expect(accepted).toBeGreaterThan(100);
  });

  it("accepts the byte order of plain keys (the contracts' symbols and trade ids)", () => {
    const plain = fc.stringMatching(/^[A-Z0-9][A-Z0-9._-]{0,11}$/);
    fc.assert(
      fc.property(fc.uniqueArray(plain, { maxLength: 40 }), pageSizes, (ids, sizes) => {
        const records = ids.map((id) => ({ client_id: "C", trade_id: id, price: "1.5" }));
        const key = ["client_id", "trade_id"];
        const got = streamed(key, pagesOf(utf8Order(records, ["trade_id"]), sizes));
        expect(got).toEqual(storedOutputHash(key, records));
      }),
      { seed: SEED, numRuns: 1_000 },
    );
  });

  it("refuses the orders where SQL and canonical order differ", () => {
    const cases: ReadonlyArray<[string, string]> = [
      ["T1", "T1 X"], // a prefix, then a character below `"`
      ["T1", "T1!"],
      ['a"', "a#"], // `"` is escaped as `\"`
      ["a\u0001", "a#"], // a control character is escaped as `\u0001`
      ["\uE000", "😀"], // UTF-8 puts U+E000 first, UTF-16 the surrogate pair
    ];
    const key = ["id"];
    for (const [first, second] of cases) {
      const records = [{ id: first }, { id: second }];
      expect(streamed(key, [records])).toBeUndefined();
      expect(
        streamed(key, [[records[0] as CanonicalRecord], [records[1] as CanonicalRecord]]),
      ).toBeUndefined();
      const reversed = [...records].reverse();
      expect(streamed(key, [reversed])).toEqual(storedOutputHash(key, records));
    }
  });

  it("orders ties on the key by line, and hashes equal records once each", () => {
    const key = ["id"];
    const low = { id: "A", v: "1" };
    const high = { id: "A", v: "2" };
    expect(streamed(key, [[low], [high]])).toEqual(storedOutputHash(key, [high, low]));
    expect(streamed(key, [[high], [low]])).toBeUndefined();
    const twice = streamed(key, [[low, low], [high]]);
    expect(twice).toEqual(storedOutputHash(key, [high, low, low]));
    expect(twice?.records).toBe(3);
  });

  it("hashes no records as the empty text, and stays refused once refused", () => {
    expect(streamed(["id"], [])).toEqual({ sha256: sha256Of(""), records: 0 });
    expect(streamed(["id"], [[], []])).toEqual(storedOutputHash(["id"], []));
    const digest = streamingOutputHash(["id"]);
    expect(digest.add([{ id: "B" }, { id: "A" }])).toBe(false);
    expect(digest.add([{ id: "C" }])).toBe(false);
  });
});
