/**
 * `BulkBuffer` writes a bulk statement's JSON straight into UTF-8 bytes: whatever the values
 * (escapes, non-ASCII text, lone surrogates, numbers, null, nested values), the bytes are
 * exactly `TextEncoder.encode(JSON.stringify(tuples))`, over one call or many.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BulkBuffer } from "../../src/db/bulk-buffer";

const SEED = 20_261_207;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** Values a tuple may hold, including what `JSON.stringify` escapes or replaces. */
const value = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom("a", '"', "\\", "\n", "\u0000", "\u001f", "\u007f", "é"),
    maxLength: 12,
  }),
  fc.constantFrom("\ud800", "x\udfffy", "\ud83d\ude00", "\u2028"),
  fc.double(),
  fc.integer(),
  fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
  fc.jsonValue({ maxDepth: 2 }),
);
const tuples = fc.array(fc.array(value, { maxLength: 6 }), { maxLength: 8 });

describe("BulkBuffer", () => {
  it("gives the bytes of JSON.stringify for any tuples, added at once or batch by batch", () => {
    fc.assert(
      fc.property(
        fc.array(tuples, { maxLength: 4 }),
        fc.integer({ min: 1, max: 64 }),
        (batches, capacity) => {
          const buffer = new BulkBuffer(capacity);
          for (const batch of batches) buffer.addTuples(batch);
          const all = batches.flat();
          expect(buffer.bytes()).toEqual(encode(all));
          expect(buffer.text()).toBe(JSON.stringify(all));
          expect(buffer.rows).toBe(all.length);
        },
      ),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("writes rows through column getters as it writes tuples", () => {
    const rows = [
      { id: "T1", price: "1.5", venue: 'NYSE "Arca"' },
      { id: "T2", price: "2", venue: "Société\tGénérale" },
    ];
    const columns = [(r: (typeof rows)[number]) => r.venue, (r: (typeof rows)[number]) => r.id];
    const buffer = new BulkBuffer();
    buffer.addRows(rows, columns);
    buffer.addRows([rows[0] as (typeof rows)[number]], columns);
    expect(buffer.text()).toBe(
      JSON.stringify(
        [...rows, rows[0]].map((r) => columns.map((c) => c(r as (typeof rows)[number]))),
      ),
    );
  });

  it("refuses a bigint as JSON.stringify does and keeps what it held before the call", () => {
    const buffer = new BulkBuffer(8);
    buffer.addTuples([["a", 1]]);
    expect(() => buffer.addTuples([["b"], ["c", 2n]])).toThrow(TypeError);
    expect(buffer.rows).toBe(1);
    buffer.addTuples([["d"]]);
    expect(buffer.text()).toBe('[["a",1],["d"]]');
  });

  it("is an empty array with no rows", () => {
    expect(new BulkBuffer().text()).toBe("[]");
  });
});
