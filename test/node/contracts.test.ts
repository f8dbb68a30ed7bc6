import { Either, Schema } from "effect";
import { describe, expect, it } from "vitest";
import { mapFields } from "../../src/core/ingest/mapping";
import {
  nonNegativeInteger,
  oneOfField,
  positiveDecimal,
  positivePrice,
  requiredText,
  symbolField,
  utcTimestampField,
} from "../../src/core/model/contract-fields";
import { decodeContract, decodeContractWithSchema } from "../../src/core/model/contracts";
import {
  addDecimal,
  compareDecimal,
  type Decimal,
  decimalFromNumber,
  isCanonicalDecimal,
  parseDecimal,
} from "../../src/core/model/decimal";
import { makeCaptureId } from "../../src/core/model/ids";
import { decodeDailyBar, decodeMarketData } from "../../src/domains/market_data/schema";
import { POLYGON_DAILY_MAPPING } from "../../src/domains/market_data/sources";

const NOW = Date.parse("2025-06-01T12:00:00Z");
const d = (text: string) => parseDecimal(text) as Decimal;

const validBar = {
  symbol: "AAPL",
  trading_date: "2025-01-02",
  open: 248.93,
  high: 249.1,
  low: 241.82,
  close: 243.85,
  volume: 55_740_731,
  vwap: 244.93,
  trade_count: 760_000,
  bar_start: 1735794000000,
  source: "polygon",
};

const violations = (raw: unknown) => {
  const result = decodeDailyBar(raw, NOW);
  return Either.isLeft(result) ? result.left : [];
};

describe("decimal", () => {
  it("recognises canonical text exactly as the canonical form defines it", () => {
    const CANONICAL = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
    const alphabet = ["0", "1", "9", ".", "-", "+", " ", "e"];
    // Every string of up to 5 characters over an alphabet that reaches each branch.
    let texts = [""];
    let all: Array<string> = [];
    for (let len = 1; len <= 5; len++) {
      texts = texts.flatMap((t) => alphabet.map((c) => t + c));
      all = all.concat(texts);
    }
    let canonical = 0;
    for (const text of all) {
      const expected = CANONICAL.test(text) && text !== "-0";
      expect(isCanonicalDecimal(text), JSON.stringify(text)).toBe(expected);
      if (expected) {
        canonical += 1;
        expect(parseDecimal(text)).toBe(text);
      }
    }
    expect(canonical).toBeGreaterThan(100);
  });

  it("canonicalises text so equal numbers have equal text", () => {
    expect(parseDecimal("150.00")).toBe("150");
    expect(parseDecimal("0150.50")).toBe("150.5");
    expect(parseDecimal("-0.000")).toBe("0");
    expect(parseDecimal("+3.10")).toBe("3.1");
    expect(parseDecimal("1.5e-7")).toBe("0.00000015");
    expect(parseDecimal("2.5E3")).toBe("2500");
    expect(parseDecimal("abc")).toBeUndefined();
    expect(parseDecimal("1.2.3")).toBeUndefined();
    expect(parseDecimal("")).toBeUndefined();
  });

  it("keeps JSON numbers exactly as the source wrote them", () => {
    expect(decimalFromNumber(130.28)).toBe("130.28");
    expect(decimalFromNumber(0.1 + 0.2)).toBe("0.30000000000000004");
    expect(decimalFromNumber(1e21)).toBe("1000000000000000000000");
    expect(decimalFromNumber(Number.NaN)).toBeUndefined();
  });

  it("compares and adds without binary floating point", () => {
    expect(compareDecimal(d("0.1"), d("0.10"))).toBe(0);
    expect(compareDecimal(d("-2"), d("1.5"))).toBe(-1);
    expect(compareDecimal(d("10.01"), d("10.001"))).toBe(1);
    expect(addDecimal(d("0.1"), d("0.2"))).toBe("0.3");
    expect(addDecimal(d("-1.25"), d("1.25"))).toBe("0");
    expect(addDecimal(d("-3"), d("1.5"))).toBe("-1.5");
  });
});

describe("capture id", () => {
  it("follows {domain}.{stage}.{partition_key}.{timestamp}", () => {
    expect(
      makeCaptureId(
        "market_data",
        "INGEST",
        "2025-01-02|demo",
        new Date("2026-01-04T14:30:22.123Z"),
      ),
    ).toBe("market_data.INGEST.2025-01-02|demo.20260104T143022Z");
  });
});

describe("field mapping", () => {
  it("renames Polygon fields and drops unmapped ones", () => {
    const mapped = mapFields(
      { o: 1, h: 2, l: 0.5, c: 1.5, v: 10, vw: 1.2, n: 3, t: 5, otc: true },
      POLYGON_DAILY_MAPPING,
      {
        symbol: "X",
      },
    );
    expect(mapped).toEqual({
      symbol: "X",
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
      vwap: 1.2,
      trade_count: 3,
      bar_start: 5,
    });
    expect(mapFields([1, 2], POLYGON_DAILY_MAPPING)).toBeUndefined();
  });
});

describe("daily bar contracts", () => {
  it("accepts a valid bar and canonicalises it", () => {
    const result = decodeDailyBar(validBar, NOW);
    expect(Either.isRight(result) && result.right).toEqual({
      ...validBar,
      open: "248.93",
      high: "249.1",
      low: "241.82",
      close: "243.85",
      vwap: "244.93",
      bar_start: "2025-01-02T05:00:00.000Z",
    });
  });

  it("reports PRICE_VALIDITY for negative and non-numeric prices", () => {
    expect(violations({ ...validBar, low: -10.5 })).toContain(
      "PRICE_VALIDITY: low must be positive, got -10.5",
    );
    expect(violations({ ...validBar, close: "abc" })).toContain(
      'PRICE_VALIDITY: close must be a decimal number, got "abc"',
    );
    expect(violations({ ...validBar, open: 0 })).toContain(
      "PRICE_VALIDITY: open must be positive, got 0",
    );
  });

  it("reports SYMBOL_FORMAT for lower case and over-long symbols", () => {
    expect(violations({ ...validBar, symbol: "aapl" })).toEqual([
      'SYMBOL_FORMAT: symbol must be 1-10 upper-case letters or digits, got "aapl"',
    ]);
    expect(violations({ ...validBar, symbol: "ABCDEFGHIJK" })[0]).toMatch(/^SYMBOL_FORMAT: /);
  });

  it("reports REQUIRED_FIELDS for missing, null and empty fields", () => {
    const { close: _close, ...withoutClose } = validBar;
    expect(violations(withoutClose)).toEqual(["REQUIRED_FIELDS: close is required"]);
    expect(violations({ ...validBar, volume: null })).toEqual([
      "REQUIRED_FIELDS: volume is required",
    ]);
    expect(violations({ ...validBar, source: " " })).toEqual([
      "REQUIRED_FIELDS: source is required",
    ]);
    expect(violations("not a record")).toEqual([
      'REQUIRED_FIELDS: record must be an object, got "not a record"',
    ]);
  });

  it("reports VOLUME_VALIDITY for fractional and negative volume", () => {
    expect(violations({ ...validBar, volume: 1.5 })).toEqual([
      "VOLUME_VALIDITY: volume must be a non-negative integer, got 1.5",
    ]);
    expect(violations({ ...validBar, volume: -5 })).toEqual([
      "VOLUME_VALIDITY: volume must be non-negative, got -5",
    ]);
  });

  it("reports OHLC_CONSISTENCY when open or close leave [low, high]", () => {
    expect(violations({ ...validBar, open: 250 })).toEqual([
      "OHLC_CONSISTENCY: open 250 is outside [low 241.82, high 249.1]",
    ]);
    expect(violations({ ...validBar, low: 260, vwap: null })).toContain(
      "OHLC_CONSISTENCY: low 260 is above high 249.1",
    );
  });

  it("reports TIMESTAMP_VALIDITY for future bars and bars off their date", () => {
    const future = {
      ...validBar,
      trading_date: "2025-06-02",
      bar_start: Date.parse("2025-06-02T04:00:00Z"),
    };
    expect(violations(future)[0]).toMatch(
      /^TIMESTAMP_VALIDITY: bar_start must not be more than 5 minutes in the future/,
    );
    expect(violations({ ...validBar, bar_start: Date.parse("2025-01-03T05:00:00Z") })[0]).toMatch(
      /^TIMESTAMP_VALIDITY: bar_start .* is not 00:00 New York time of trading_date 2025-01-02/,
    );
  });

  it("collects every violated contract of one record", () => {
    expect(violations({ ...validBar, symbol: "x!", open: -1, volume: "many" })).toEqual([
      'SYMBOL_FORMAT: symbol must be 1-10 upper-case letters or digits, got "x!"',
      "PRICE_VALIDITY: open must be positive, got -1",
      'VOLUME_VALIDITY: volume must be a non-negative integer, got "many"',
    ]);
  });
});

describe("market data contracts", () => {
  const quote = {
    symbol: "MSFT",
    price: "415.20",
    timestamp: "2025-01-02T15:30:00-05:00",
    volume: 100,
    source: "iex",
  };

  it("accepts a quote and normalises its timestamp to UTC", () => {
    const result = decodeMarketData(quote, NOW);
    expect(Either.isRight(result) && result.right).toEqual({
      ...quote,
      price: "415.2",
      timestamp: "2025-01-02T20:30:00.000Z",
    });
  });

  it("rejects timestamps without a zone and those over 5 minutes ahead", () => {
    const naive = decodeMarketData({ ...quote, timestamp: "2025-01-02T15:30:00" }, NOW);
    expect(Either.isLeft(naive) && naive.left).toEqual([
      'TIMESTAMP_VALIDITY: timestamp must be ISO-8601 with a UTC offset, got "2025-01-02T15:30:00"',
    ]);
    const ahead = decodeMarketData(
      { ...quote, timestamp: new Date(NOW + 6 * 60_000).toISOString() },
      NOW,
    );
    expect(Either.isLeft(ahead) && ahead.left[0]).toMatch(
      /^TIMESTAMP_VALIDITY: timestamp must not be more than 5 minutes/,
    );
    const within = decodeMarketData(
      { ...quote, timestamp: new Date(NOW + 4 * 60_000).toISOString() },
      NOW,
    );
    expect(Either.isRight(within)).toBe(true);
  });

  it("rejects a negative price with the structured message", () => {
    const result = decodeMarketData({ ...quote, price: -10.5 }, NOW);
    expect(Either.isLeft(result) && result.left).toEqual([
      "PRICE_VALIDITY: price must be positive, got -10.5",
    ]);
  });
});

describe("decodeContract fast path", () => {
  const Struct = Schema.Struct({
    trade_id: requiredText("trade_id"),
    symbol: symbolField(),
    side: oneOfField("side", "SIDE_VALIDITY", ["BUY", "SELL"] as const),
    quantity: positiveDecimal("quantity", "QUANTITY_VALIDITY"),
    price: positivePrice("price"),
    timestamp: utcTimestampField("timestamp"),
    volume: nonNegativeInteger("volume"),
  });
  const good = {
    trade_id: "T1",
    symbol: "AAPL",
    side: "BUY",
    quantity: "100",
    price: "150.25",
    timestamp: "2025-01-02T15:00:00Z",
    volume: 10,
  };
  const variants: ReadonlyArray<unknown> = [
    good,
    { ...good, extra: "ignored" },
    { ...good, symbol: "aapl", price: -1, side: "buy" },
    { ...good, quantity: "1,000", timestamp: "2025-01-02 15:00" },
    { ...good, timestamp: "2025-01-02T15:00:00.123Z" },
    { ...good, timestamp: "2025-02-29T15:00:00.000Z" },
    { ...good, trade_id: "  ", volume: 1.5 },
    { ...good, price: null, quantity: "" },
    { symbol: "MSFT" },
    {},
    null,
    [good],
    "text",
  ];

  it("gives exactly what the Schema path gives, for valid and invalid records", () => {
    for (const raw of variants) {
      expect(decodeContract(Struct, raw)).toEqual(decodeContractWithSchema(Struct, raw));
    }
  });
});

describe("TIMESTAMP_VALIDITY on impossible instants", () => {
  const Struct = Schema.Struct({ timestamp: utcTimestampField("timestamp") });
  it.each([
    "2025-02-29T15:00:00.000Z",
    "2025-02-29T15:00:00Z",
    "2025-04-31T10:00:00-04:00",
    "2025-01-02T24:00:00.000Z",
    "2025-01-02T23:60:00.000Z",
  ])("rejects %s instead of rolling it over", (timestamp) => {
    const result = decodeContract(Struct, { timestamp });
    expect(Either.isLeft(result) && result.left).toEqual([
      `TIMESTAMP_VALIDITY: timestamp is not a valid instant, got "${timestamp}"`,
    ]);
  });

  it("keeps canonical UTC text and normalises the rest to it", () => {
    for (const [input, canonical] of [
      ["2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"],
      ["2025-01-02T10:00:00-05:00", "2025-01-02T15:00:00.000Z"],
      ["2025-01-02T15:00Z", "2025-01-02T15:00:00.000Z"],
    ] as const) {
      expect(decodeContract(Struct, { timestamp: input })).toEqual(
        Either.right({ timestamp: canonical }),
      );
    }
  });
});
