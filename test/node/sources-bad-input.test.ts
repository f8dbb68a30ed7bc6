/**
 * Bad input never crashes a batch and nothing is dropped: every bad record lands in
 * `core_quarantine` with its raw text, line and every violated contract; a whole unreadable
 * payload is one typed `PermanentSourceError` with the payload head kept.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Cause, Exit, Option } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceReport } from "../../src/core/ingest/source";
import type { PipelineError } from "../../src/core/model/errors";
import {
  ingestDirect,
  ingestThroughRunner,
  quarantineOf,
  query,
  sourceFixture,
} from "../fixtures/sources";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

const payload = async (name: string, content: string | Uint8Array) => {
  const path = join(db.dir, name);
  await writeFile(path, content);
  return path;
};

const failureOf = (exit: Exit.Exit<SourceReport, PipelineError>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure");
  const error = Option.getOrThrow(Cause.failureOption(exit.cause));
  return error;
};

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
    const trades = await query(db.url, "SELECT trade_id, side FROM trades ORDER BY trade_id");
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

  it("a quoted field cut by the end of the file is quarantined, not lost", async () => {
    const path = await payload(
      "cut.csv",
      'trade_id,client_id,symbol,side,quantity,price,timestamp,venue\nC-1,CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:05Z,XNAS\nC-2,CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:06Z,"XNA',
    );
    const result = await ingestThroughRunner(db.url, "execution_csv", path);
    expect(result.counts).toEqual({ received: 2, valid: 1, quarantined: 1, written: 1 });
    const [cut] = await quarantineOf(db.url, "file:cut.csv");
    expect(cut?.index).toBe(3);
    expect(cut?.reasons).toContain("MALFORMED_ROW: unterminated quoted field (file cut short?)");
  });

  it("a header-only payload reads, receives nothing and fails the gate (no records)", async () => {
    const path = await payload(
      "header-only.csv",
      "trade_id,client_id,symbol,side,quantity,price,timestamp,venue\r\n",
    );
    const result = await ingestThroughRunner(db.url, "execution_csv", path);
    expect(result).toMatchObject({
      status: "failed",
      counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
      error: { tag: "QualityGateFailed", message: expect.stringContaining("no records") },
    });
  });

  it("future quotes are quarantined with TIMESTAMP_VALIDITY", async () => {
    const path = await payload(
      "future.json",
      JSON.stringify({
        symbol: "AAPL",
        latestPrice: 1,
        latestUpdate: Date.now() + 3_600_000,
        latestVolume: 1,
      }),
    );
    const result = await ingestThroughRunner(db.url, "iex_quote", path);
    expect(result.counts).toEqual({ received: 1, valid: 0, quarantined: 1, written: 0 });
  });
});

describe("unreadable payloads are one typed permanent error with the payload kept", () => {
  it("a CSV given to the PSV source: the header does not match, and says why", async () => {
    const exit = await ingestDirect(db.url, "finra_otc_weekly", sourceFixture("executions.csv"));
    const error = failureOf(exit);
    expect(error).toMatchObject({
      _tag: "PermanentSourceError",
      reason: "decode",
      source: "finra_otc_weekly",
    });
    expect(error.message).toContain("missing column(s) tierDescription, issueSymbolIdentifier");
    expect(error.message).toContain(
      "the header looks comma-delimited, this source reads pipe-delimited text",
    );
    expect(error._tag === "PermanentSourceError" && error.payload).toContain("trade_id,client_id");
    const written = await query(
      db.url,
      "SELECT count(*) AS n FROM finra_otc_transparency_venue_volume",
    );
    expect(Number(written[0]?.n)).toBe(0);
  });

  it("through the runner the run fails, not retryable", async () => {
    const path = await payload("empty.csv", "");
    const result = await ingestThroughRunner(db.url, "execution_csv", path);
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
    expect(result.error?.message).toContain("payload is empty: no header row");
  });

  it("binary garbage", async () => {
    const garbage = Uint8Array.from(randomBytes(4096));
    garbage[0] = 0xff;
    const exit = await ingestDirect(db.url, "execution_csv", await payload("garbage.csv", garbage));
    const error = failureOf(exit);
    expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "decode" });
    expect(error.message).toContain("payload is not UTF-8 text");
    expect(error._tag === "PermanentSourceError" && error.payload?.length).toBeGreaterThan(0);
  });

  it("JSON that does not parse", async () => {
    const exit = await ingestDirect(
      db.url,
      "iex_quote",
      await payload("broken.json", '[{"symbol": "AAPL", '),
    );
    const error = failureOf(exit);
    expect(error.message).toContain("payload is not JSON");
    expect(error._tag === "PermanentSourceError" && error.payload).toBe('[{"symbol": "AAPL", ');
  });

  it("a JSON document over the size cap", async () => {
    const path = await payload(
      "big.json",
      JSON.stringify(Array.from({ length: 2000 }, () => ({ symbol: "AAPL" }))),
    );
    const error = failureOf(
      await ingestDirect(db.url, "iex_quote", path, { maxJsonBytes: 10_000 }),
    );
    expect(error.message).toContain("JSON payload exceeds 10000 bytes");
  });

  it("JSON nested thousands deep is one typed refusal, not a stack overflow", async () => {
    const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    const payloads = [
      ["iex_quote", `[{"symbol":"AAPL","latestPrice":${deep}}]`],
      ["polygon_aggs", `{"status":${deep},"results":[]}`],
      ["alphavantage_daily", `{"Time Series (Daily)":{"2025-01-02":${deep}}}`],
    ] as const;
    for (const [source, text] of payloads) {
      const path = await payload(`deep-${source}.json`, text);
      const error = failureOf(await ingestDirect(db.url, source, path));
      expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "decode" });
      expect(error.message).toContain("JSON nests deeper than 64 levels");
    }
  });

  it("an unterminated quote that swallows the rest of the file hits the record limit", async () => {
    const lines = Array.from(
      { length: 2000 },
      (_, i) => `R-${i},CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:05Z,XNAS`,
    );
    const path = await payload(
      "runaway.csv",
      `trade_id,client_id,symbol,side,quantity,price,timestamp,venue\nR,CLIENT_A,"AAPL,BUY,1,2,x,y\n${lines.join("\n")}\n`,
    );
    const error = failureOf(
      await ingestDirect(db.url, "execution_csv", path, { maxRecordChars: 4_096 }),
    );
    expect(error.message).toContain("record starting at line 2 exceeds 4096 characters");
  });

  it("a missing file", async () => {
    const error = failureOf(await ingestDirect(db.url, "execution_csv", join(db.dir, "nope.csv")));
    expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "status" });
    expect(error.message).toContain("file not found");
  });

  it("an Alpha Vantage rate-limit note is transient, an error message permanent", async () => {
    const note = await payload(
      "note.json",
      JSON.stringify({ Information: "rate limit is 25 requests per day" }),
    );
    expect(failureOf(await ingestDirect(db.url, "alphavantage_daily", note))).toMatchObject({
      _tag: "TransientSourceError",
    });
    const bad = await payload(
      "error.json",
      JSON.stringify({ "Error Message": "Invalid API call" }),
    );
    expect(failureOf(await ingestDirect(db.url, "alphavantage_daily", bad))).toMatchObject({
      _tag: "PermanentSourceError",
      reason: "decode",
    });
  });
});
