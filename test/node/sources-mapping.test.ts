/**
 * Every registered source maps a realistic sample to its canonical table, quarantines what
 * breaks a contract with every reason (line numbers and raw text kept, the valid rows still
 * written), and re-ingests without duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SOURCES } from "../../src/domains/sources-registry";
import { ingestThroughRunner, quarantineOf, query, sourceFixture } from "../fixtures/sources";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

describe("SOURCES", () => {
  it("registers the five source formats", () => {
    expect(SOURCES.names()).toEqual([
      "iex_quote",
      "polygon_aggs",
      "alphavantage_daily",
      "execution_csv",
      "finra_otc_weekly",
    ]);
  });

  it("iex_quote: quotes → market_quotes (latestVolume, falling back to volume)", async () => {
    const result = await ingestThroughRunner(db.url, "iex_quote", sourceFixture("iex-quotes.json"));
    // One record of three quarantined is over the 5% gate: written, but the run fails.
    expect(result).toMatchObject({
      status: "failed",
      partition: "file:iex-quotes.json",
      counts: { received: 3, valid: 2, quarantined: 1, written: 2 },
      error: { tag: "QualityGateFailed" },
    });
    const rows = await query(db.url, "SELECT * FROM market_quotes ORDER BY symbol");
    expect(rows.map((r) => [r.symbol, r.quoted_at, r.price, r.volume, r.source])).toEqual([
      ["AAPL", "2025-01-02T15:15:02.117Z", "243.85", 18234511, "iex"],
      ["MSFT", "2025-01-02T21:00:00.000Z", "418.58", 16896469, "iex"],
    ]);
    expect(rows[0]?.capture_id).toBe(result.capture_id);
    const [bad] = await quarantineOf(db.url, "file:iex-quotes.json");
    expect(bad).toMatchObject({ index: 2, source: "iex_quote" });
    expect(bad?.reasons).toEqual([
      'SYMBOL_FORMAT: symbol must be 1-10 upper-case letters or digits, got "nvda"',
      "PRICE_VALIDITY: price must be positive, got -1.5",
    ]);
    expect(JSON.parse(bad?.raw ?? "")).toMatchObject({ symbol: "nvda", latestPrice: -1.5 });
  });

  it("polygon_aggs: results → market_prices, trading date from t", async () => {
    const result = await ingestThroughRunner(
      db.url,
      "polygon_aggs",
      sourceFixture("polygon-aggs.json"),
    );
    expect(result.counts).toEqual({ received: 3, valid: 2, quarantined: 1, written: 2 });
    const rows = await query(
      db.url,
      "SELECT * FROM market_prices WHERE source = 'polygon' ORDER BY trading_date",
    );
    expect(rows.map((r) => [r.symbol, r.trading_date, r.open, r.low, r.close, r.volume])).toEqual([
      ["AAPL", "2025-01-02", "248.93", "241.8201", "243.85", 55740731],
      ["AAPL", "2025-01-03", "243.36", "241.89", "243.36", 40244114],
    ]);
    expect(rows[0]).toMatchObject({
      vwap: "244.6727",
      trade_count: 822379,
      bar_start: "2025-01-02T05:00:00.000Z",
    });
    const [bad] = await quarantineOf(db.url, "file:polygon-aggs.json");
    expect(bad?.index).toBe(2);
    expect(bad?.reasons.every((r) => r.startsWith("OHLC_CONSISTENCY: "))).toBe(true);
  });

  it("alphavantage_daily: the daily series → market_prices at 00:00 New York", async () => {
    const result = await ingestThroughRunner(
      db.url,
      "alphavantage_daily",
      sourceFixture("alphavantage-daily.json"),
    );
    expect(result.counts).toEqual({ received: 3, valid: 2, quarantined: 1, written: 2 });
    const rows = await query(
      db.url,
      "SELECT * FROM market_prices WHERE source = 'alphavantage' ORDER BY trading_date",
    );
    expect(
      rows.map((r) => [r.symbol, r.trading_date, r.open, r.high, r.low, r.close, r.volume]),
    ).toEqual([
      ["IBM", "2025-01-03", "220", "222.39", "219.8", "222.21", 2765219],
      ["IBM", "2025-01-06", "220.45", "221.25", "218.41", "219.24", 3251127],
    ]);
    expect(rows[0]).toMatchObject({
      bar_start: "2025-01-03T05:00:00.000Z",
      vwap: null,
      trade_count: null,
    });
    const [bad] = await quarantineOf(db.url, "file:alphavantage-daily.json");
    expect(bad?.index).toBe(2);
    expect(bad?.reasons).toEqual([
      'PRICE_VALIDITY: close must be a decimal number, got "x"',
      "VOLUME_VALIDITY: volume must be non-negative, got -20",
    ]);
  });

  it("execution_csv: executions → trades (offsets normalised to UTC, exact decimals)", async () => {
    const result = await ingestThroughRunner(
      db.url,
      "execution_csv",
      sourceFixture("executions.csv"),
    );
    expect(result.counts).toEqual({ received: 3, valid: 3, quarantined: 0, written: 3 });
    const rows = await query(db.url, "SELECT * FROM trades ORDER BY trade_id");
    expect(
      rows.map((r) => [r.trade_id, r.symbol, r.side, r.quantity, r.price, r.executed_at, r.venue]),
    ).toEqual([
      [
        "CLIENT_A-20250102-00001",
        "AAPL",
        "BUY",
        "200",
        "243.12",
        "2025-01-02T14:31:05.120Z",
        "XNAS",
      ],
      [
        "CLIENT_A-20250102-00002",
        "MSFT",
        "SELL",
        "50.5",
        "419.01",
        "2025-01-02T14:45:11.004Z",
        "XNYS",
      ],
      [
        "CLIENT_A-20250102-00003",
        "AAPL",
        "SELL",
        "100",
        "243.9",
        "2025-01-02T20:02:00.000Z",
        "ARCX",
      ],
    ]);
    expect(rows.every((r) => r.client_id === "CLIENT_A" && r.source === "execution_csv")).toBe(
      true,
    );
  });

  it("finra_otc_weekly: PSV → venue volume, week ending and tier from the partition", async () => {
    const partition = "2025-01-10|NMS_TIER_1";
    const result = await ingestThroughRunner(
      db.url,
      "finra_otc_weekly",
      sourceFixture("finra-weekly.psv"),
      partition,
    );
    expect(result.counts).toEqual({ received: 5, valid: 3, quarantined: 2, written: 3 });
    const rows = await query(
      db.url,
      "SELECT * FROM finra_otc_transparency_venue_volume ORDER BY symbol, mpid",
    );
    expect(
      rows.map((r) => [
        r.week_ending,
        r.tier,
        r.symbol,
        r.mpid,
        r.total_weekly_share_quantity,
        r.total_weekly_trade_count,
      ]),
    ).toEqual([
      ["2025-01-10", "NMS_TIER_1", "AAPL", "CDRG", 25100444, 120033],
      ["2025-01-10", "NMS_TIER_1", "AAPL", "UBSA", 10563212, 48211],
      ["2025-01-10", "NMS_TIER_1", "BRKB", "NITE", 1200300, 9010],
    ]);
    // A quoted field keeps its pipe and its doubled quotes.
    expect(rows[2]?.issue_name).toBe('Berkshire Hathaway | Class "B" Stock');
    const bad = await quarantineOf(db.url, partition);
    expect(bad.map((b) => b.index)).toEqual([5, 6]);
    expect(bad[0]?.reasons).toEqual([
      "VOLUME_VALIDITY: total_weekly_share_quantity must be non-negative, got -5",
    ]);
    expect(bad[1]?.reasons.map((r) => r.split(":")[0])).toEqual([
      "TIER_VALIDITY",
      "MPID_FORMAT",
      "DATE_VALIDITY",
    ]);
    expect(bad[1]?.raw).toBe(
      "Tier X|TSLA|Tesla, Inc. Common Stock|jane street|js|100|1|13/01/2025",
    );
  });

  it("re-ingesting the same payloads updates rows and quarantine: no duplicates", async () => {
    const count = async (table: string) =>
      Number((await query(db.url, `SELECT count(*) AS n FROM ${table}`))[0]?.n);
    const before = {
      quotes: await count("market_quotes"),
      prices: await count("market_prices"),
      trades: await count("trades"),
      quarantine: await count("core_quarantine"),
    };
    await ingestThroughRunner(db.url, "iex_quote", sourceFixture("iex-quotes.json"));
    await ingestThroughRunner(
      db.url,
      "alphavantage_daily",
      sourceFixture("alphavantage-daily.json"),
    );
    const again = await ingestThroughRunner(
      db.url,
      "execution_csv",
      sourceFixture("executions.csv"),
    );
    expect(again.counts.written).toBe(3);
    expect({
      quotes: await count("market_quotes"),
      prices: await count("market_prices"),
      trades: await count("trades"),
      quarantine: await count("core_quarantine"),
    }).toEqual(before);
    const captures = await query(db.url, "SELECT DISTINCT capture_id FROM trades");
    expect(captures.map((c) => c.capture_id)).toEqual([again.capture_id]);
  });
});

describe("bad records are quarantined with line numbers and every reason", () => {
  it("execution CSV: field count, types, case, sign, future, missing, duplicate, zone, truncation", async () => {
    const partition = "file:executions-bad.csv";
    const result = await ingestThroughRunner(
      db.url,
      "execution_csv",
      sourceFixture("executions-bad.csv"),
    );
    // 8 of 10 quarantined: the quality gate fails the run; the 2 valid rows are still written.
    expect(result.status).toBe("failed");
    expect(result.counts).toEqual({ received: 10, valid: 2, quarantined: 8, written: 2 });
    expect(result.error).toMatchObject({
      tag: "QualityGateFailed",
      retryable: false,
      gate: { ratio: 0.8, threshold: 0.05, received: 10, valid: 2, quarantined: 8 },
    });
    expect(result.error?.gate?.top_reasons.slice(0, 2)).toEqual([
      { contract: "MALFORMED_ROW", count: 2 },
      { contract: "TIMESTAMP_VALIDITY", count: 2 },
    ]);
    expect([...(result.error?.gate?.sample_indexes ?? [])].sort((a, b) => a - b)).toEqual([
      3, 4, 5, 6, 7, 8, 9, 11,
    ]);
    const trades = await query(
      db.url,
      "SELECT trade_id, side FROM trades WHERE capture_id = ? ORDER BY trade_id",
      [result.capture_id],
    );
    expect(trades.map((t) => [t.trade_id, t.side])).toEqual([
      ["B-1", "BUY"],
      ["B-8", "SELL"],
    ]);
    const bad = await quarantineOf(db.url, partition);
    expect(bad.map((b) => [b.index, b.reasons.map((r) => r.split(":")[0])])).toEqual([
      [3, ["MALFORMED_ROW"]],
      [4, ["SIDE_VALIDITY", "QUANTITY_VALIDITY"]],
      [5, ["SYMBOL_FORMAT", "PRICE_VALIDITY"]],
      [6, ["TIMESTAMP_VALIDITY"]],
      [7, ["REQUIRED_FIELDS", "REQUIRED_FIELDS"]],
      [8, ["UNIQUENESS"]],
      [9, ["TIMESTAMP_VALIDITY"]],
      [11, ["MALFORMED_ROW"]],
    ]);
    const byLine = new Map(bad.map((b) => [b.index, b]));
    expect(byLine.get(3)?.reasons).toEqual(["MALFORMED_ROW: expected 8 fields, got 7 (line 3)"]);
    expect(byLine.get(3)?.raw).toBe("B-2,CLIENT_A,AAPL,BUY,100,243.12,2025-01-02T14:31:06Z");
    expect(byLine.get(5)?.reasons).toEqual([
      'SYMBOL_FORMAT: symbol must be 1-10 upper-case letters or digits, got "aapl"',
      "PRICE_VALIDITY: price must be positive, got -10.5",
    ]);
    expect(byLine.get(6)?.reasons[0]).toMatch(
      /^TIMESTAMP_VALIDITY: timestamp must not be more than 5 minutes in the future/,
    );
    expect(byLine.get(7)?.reasons).toEqual([
      "REQUIRED_FIELDS: client_id is required",
      "REQUIRED_FIELDS: quantity is required",
    ]);
    expect(byLine.get(8)?.reasons).toEqual([
      "UNIQUENESS: trade_id B-1 appears more than once for client_id CLIENT_A (first at line 2)",
    ]);
    expect(byLine.get(9)?.reasons[0]).toBe(
      'TIMESTAMP_VALIDITY: timestamp must be ISO-8601 with a UTC offset, got "2025-01-02 14:31:12"',
    );
    expect(byLine.get(11)?.raw).toBe("B-9,CLIENT_A,AAPL,BUY,100,243.1");
  });
});
