/**
 * Decoding a delimited row straight from its fields gives what decoding the record it maps to
 * gives: the contracts' positional decoder against `decodeContract`, and `execution_csv`'s
 * row decoder against `decodeTradeData` (every contract, the future, the partition), whatever
 * the columns' order and values. Plus the fast paths it relies on: decimals with trailing
 * zeros, and canonical timestamps compared with the future limit as text.
 */
import { Either, Schema } from "effect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  FUTURE_TOLERANCE_MS,
  futureCheck,
  notInFuture,
  oneOfField,
  positiveDecimal,
  requiredText,
  utcTimestampField,
} from "../../src/core/model/contract-fields";
import { contractRowDecoder, decodeContract, Rejected } from "../../src/core/model/contracts";
import { parseDecimal } from "../../src/core/model/decimal";
import {
  decodeTradeData,
  EXECUTION_CSV_COLUMNS,
  tradeRowDecoder,
} from "../../src/domains/trade_data/schema";

const SEED = 20_261_207;
const NOW = Date.parse("2025-01-02T20:00:00Z");

/** A decode result in one shape: the value, or the reasons. */
const outcome = (result: unknown) =>
  result instanceof Rejected
    ? { left: result.reasons }
    : Either.isEither(result)
      ? Either.isLeft(result)
        ? { left: result.left }
        : { right: result.right }
      : { right: result };

/** A row: the fields in `order`, at `start` of a longer array (as a block lays rows out). */
const layOut = (
  record: Readonly<Record<string, string>>,
  order: ReadonlyArray<string>,
  pad: number,
) => ({
  fields: [...Array<string>(pad).fill("pad"), ...order.map((c) => record[c] ?? "")],
  start: pad,
  place: (key: string) => {
    const i = order.indexOf(key);
    return i < 0 ? { value: undefined } : i;
  },
});

describe("contractRowDecoder", () => {
  const Struct = Schema.Struct({
    id: requiredText("id"),
    side: oneOfField("side", "SIDE_VALIDITY", ["BUY", "SELL"] as const),
    quantity: positiveDecimal("quantity", "QUANTITY_VALIDITY"),
    at: utcTimestampField("at"),
  });
  const field = fc.constantFrom(
    "",
    "  ",
    "x",
    "BUY",
    "buy",
    "10",
    "10.50",
    "-1",
    "1e3",
    "0",
    "2025-01-02T15:00:00Z",
    "2025-01-02T15:00:00.000Z",
    "2025-02-30T10:00:00Z",
  );

  it("gives decodeContract's value or violations, in any column order", () => {
    fc.assert(
      fc.property(
        fc.record({ id: field, side: field, quantity: field, at: field }),
        fc.shuffledSubarray(["id", "side", "quantity", "at", "extra"], { minLength: 1 }),
        fc.nat(3),
        (record, order, pad) => {
          const row = layOut({ ...record, extra: "e" }, order, pad);
          const mapped = Object.fromEntries(
            order.map((c) => [c, row.fields[row.start + order.indexOf(c)]]),
          );
          expect(outcome(contractRowDecoder(Struct, row.place)(row.fields, row.start))).toEqual(
            outcome(decodeContract(Struct, mapped)),
          );
        },
      ),
      { seed: SEED, numRuns: 1_000 },
    );
  });
});

describe("execution_csv's row decoder", () => {
  const value = (c: string) =>
    ({
      trade_id: fc.constantFrom("T1", " T 2 ", "", "\t"),
      client_id: fc.constantFrom("CLIENT_A", "CLIENT_B", " CLIENT_A ", ""),
      symbol: fc.constantFrom("AAPL", "aapl", "TOOLONGSYMBOL", ""),
      side: fc.constantFrom("BUY", "SELL", "Buy", ""),
      quantity: fc.constantFrom("100", "100.0", "0", "-5", "1,000", ""),
      price: fc.constantFrom("243.10", "243.1", "0.00", "abc", ""),
      timestamp: fc.constantFrom(
        "2025-01-02T14:31:05Z",
        "2025-01-02T14:31:05.000Z",
        "2025-01-02T09:31:05-05:00",
        "2025-01-03T04:00:00.000Z",
        "2025-01-02T20:06:00.000Z",
        "2025-01-02T20:04:59.999Z",
        "2025-01-02 14:31",
        "",
      ),
      venue: fc.constantFrom("XNAS", "NYSE Arca, Inc.", " "),
    })[c] ?? fc.constant("");
  const record = fc.record(
    Object.fromEntries(EXECUTION_CSV_COLUMNS.map((c) => [c, value(c)])) as Record<
      (typeof EXECUTION_CSV_COLUMNS)[number],
      fc.Arbitrary<string>
    >,
  );
  const hints = fc.constantFrom(
    {},
    { date: "2025-01-02", scope: "CLIENT_A" },
    { date: "2025-01-03", scope: "CLIENT_B" },
  );

  it("gives decodeTradeData's trade or violations, in any column order", () => {
    fc.assert(
      fc.property(
        record,
        fc.shuffledSubarray([...EXECUTION_CSV_COLUMNS], {
          minLength: EXECUTION_CSV_COLUMNS.length,
        }),
        hints,
        fc.nat(2),
        (fields, order, partition, pad) => {
          const row = layOut(fields, order, pad);
          const decode = tradeRowDecoder(
            (key) => (key === "source" ? { value: "execution_csv" } : row.place(key)),
            NOW,
            partition,
          );
          expect(outcome(decode(row.fields, row.start))).toEqual(
            outcome(decodeTradeData({ ...fields, source: "execution_csv" }, NOW, partition)),
          );
        },
      ),
      { seed: SEED, numRuns: 2_000 },
    );
  });
});

describe("fast paths", () => {
  it("reads decimals with trailing zeros as the general parser does", () => {
    // The general path, for comparison: sign, integer digits without leading zeros, fraction
    // without trailing zeros, no negative zero.
    const reference = (text: string) => {
      const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(text.trim());
      if (!m) return "not plain";
      const int = (m[2] ?? "").replace(/^0+(?=\d)/, "");
      const frac = (m[3] ?? "").replace(/0+$/, "");
      const body = frac ? `${int}.${frac}` : int;
      return m[1] === "-" && body !== "0" ? `-${body}` : body;
    };
    const texts = fc.string({ unit: fc.constantFrom("0", "1", "9", ".", "-"), maxLength: 7 });
    fc.assert(
      fc.property(texts, (text) => {
        const expected = reference(text);
        if (expected !== "not plain") expect(parseDecimal(text)).toBe(expected);
      }),
      { seed: SEED, numRuns: 5_000 },
    );
    expect(parseDecimal("150.10")).toBe("150.1");
    expect(parseDecimal("-0.00")).toBe("0");
    expect(parseDecimal("-5.0")).toBe("-5");
    expect(parseDecimal("007.50")).toBe("7.5");
  });

  it("compares canonical timestamps with the future limit as notInFuture does", () => {
    const future = futureCheck("timestamp", NOW);
    for (const offset of [
      -1,
      0,
      1,
      FUTURE_TOLERANCE_MS - 1,
      FUTURE_TOLERANCE_MS,
      FUTURE_TOLERANCE_MS + 1,
      86_400_000,
    ]) {
      const iso = new Date(NOW + offset).toISOString();
      expect(future(iso)).toBe(notInFuture("timestamp", iso, NOW));
    }
    const farFuture = new Date(Date.UTC(12_000, 0, 1)).toISOString();
    expect(future(farFuture)).toBe(notInFuture("timestamp", farFuture, NOW));
    expect(future(farFuture)).toMatch(/^TIMESTAMP_VALIDITY/);
  });
});
