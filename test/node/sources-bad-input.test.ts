/**
 * Bad input never crashes a batch and nothing is dropped, on the in-memory stores: a record
 * cut short is quarantined with its line and reason, a header-only or future payload fails
 * the gate or quarantines, and a whole unreadable payload is one typed error with the payload
 * head kept. The registered sources read memory files here; a write would reach the refusing
 * `Db` and fail differently, so a typed source error also says nothing was written. (A bad
 * execution file with its written rows: `sources-mapping.test.ts`, on a real file.)
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "@effect/vitest";
import { Cause, Effect, Exit, Option, TestClock } from "effect";
import { expect } from "vitest";
import type { SourceReport } from "../../src/core/ingest/source";
import type { PipelineError } from "../../src/core/model/errors";
import { StoreMemory } from "../../src/core/store/memory";
import { EXECUTION_CSV_DEFINITION } from "../../src/domains/trade_data/source";
import { logicLayer, storedQuarantine } from "../fixtures/memory-pipelines";
import {
  ingestFileDirect,
  ingestOnce,
  type MemoryFiles,
  memoryIngestPipeline,
  memorySource,
} from "../fixtures/memory-sources";
import { sourceFixture, sourceNamed } from "../fixtures/sources";

const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";
const NOW = Date.parse("2025-06-02T12:00:00.000Z");

/** `name` with `content` through `source` directly (no runner); the typed failure. */
const failureOf = (
  source: string,
  name: string,
  content: string | Uint8Array,
  options: Parameters<typeof ingestFileDirect>[3] = {},
  files: MemoryFiles = { [`/data/${name}`]: content },
) =>
  Effect.map(
    ingestFileDirect(sourceNamed(source), `/data/${name}`, files, options),
    (exit: Exit.Exit<SourceReport, PipelineError>) => {
      if (Exit.isSuccess(exit)) throw new Error("expected a failure");
      return Option.getOrThrow(Cause.failureOption(exit.cause));
    },
  );

/** `dataspine ingest` of `name` through `source` (registered, or execution_csv's loop). */
const ingest = (name: string, content: string, source = "execution_csv") =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const path = `/data/${name}`;
    const through =
      source === "execution_csv"
        ? memorySource(EXECUTION_CSV_DEFINITION, (t) => t.trade_id).source
        : sourceNamed(source);
    return yield* ingestOnce(
      memoryIngestPipeline(through, path, { [path]: content }),
      `file:${name}`,
    );
  });

describe("bad records are quarantined with line numbers and every reason", () => {
  it.effect("a quoted field cut by the end of the file is quarantined, not lost", () =>
    Effect.gen(function* () {
      const result = yield* ingest(
        "cut.csv",
        `${HEADER}\nC-1,CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:05Z,XNAS\nC-2,CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:06Z,"XNA`,
      );
      expect(result.counts).toEqual({ received: 2, valid: 1, quarantined: 1, written: 1 });
      const [cut] = yield* storedQuarantine("file:cut.csv");
      expect(cut?.index).toBe(3);
      expect(cut?.reasons).toContain("MALFORMED_ROW: unterminated quoted field (file cut short?)");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a header-only payload reads, receives nothing and fails the gate (no records)", () =>
    Effect.gen(function* () {
      const result = yield* ingest("header-only.csv", `${HEADER}\r\n`);
      expect(result).toMatchObject({
        status: "failed",
        counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        error: { tag: "QualityGateFailed", message: expect.stringContaining("no records") },
      });
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("future quotes are quarantined with TIMESTAMP_VALIDITY", () =>
    Effect.gen(function* () {
      const quote = { symbol: "AAPL", latestPrice: 1, latestUpdate: NOW + 3_600_000 };
      const result = yield* ingest(
        "future.json",
        JSON.stringify({ ...quote, latestVolume: 1 }),
        "iex_quote",
      );
      expect(result.counts).toEqual({ received: 1, valid: 0, quarantined: 1, written: 0 });
      const [future] = yield* storedQuarantine("file:future.json");
      expect(future?.reasons[0]).toMatch(/^TIMESTAMP_VALIDITY: /);
    }).pipe(Effect.provide(logicLayer())),
  );
});

describe("unreadable payloads are one typed permanent error with the payload kept", () => {
  it.effect("a CSV given to the PSV source: the header does not match, and says why", () =>
    Effect.gen(function* () {
      const csv = readFileSync(sourceFixture("executions.csv"), "utf8");
      const error = yield* failureOf("finra_otc_weekly", "executions.csv", csv);
      expect(error).toMatchObject({
        _tag: "PermanentSourceError",
        reason: "decode",
        source: "finra_otc_weekly",
      });
      expect(error.message).toContain("missing column(s) tierDescription, issueSymbolIdentifier");
      expect(error.message).toContain(
        "the header looks comma-delimited, this source reads pipe-delimited text",
      );
      expect(error._tag === "PermanentSourceError" && error.payload).toContain(
        "trade_id,client_id",
      );
      expect((yield* StoreMemory).quarantine.size).toBe(0);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("through the runner the run fails, not retryable", () =>
    Effect.gen(function* () {
      const result = yield* ingest("empty.csv", "");
      expect(result.status).toBe("failed");
      expect(result.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
      expect(result.error?.message).toContain("payload is empty: no header row");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("binary garbage", () =>
    Effect.gen(function* () {
      const garbage = Uint8Array.from(randomBytes(4096));
      garbage[0] = 0xff;
      const error = yield* failureOf("execution_csv", "garbage.csv", garbage);
      expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "decode" });
      expect(error.message).toContain("payload is not UTF-8 text");
      expect(error._tag === "PermanentSourceError" && error.payload?.length).toBeGreaterThan(0);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("JSON that does not parse", () =>
    Effect.gen(function* () {
      const error = yield* failureOf("iex_quote", "broken.json", '[{"symbol": "AAPL", ');
      expect(error.message).toContain("payload is not JSON");
      expect(error._tag === "PermanentSourceError" && error.payload).toBe('[{"symbol": "AAPL", ');
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a JSON document over the size cap", () =>
    Effect.gen(function* () {
      const big = JSON.stringify(Array.from({ length: 2000 }, () => ({ symbol: "AAPL" })));
      const error = yield* failureOf("iex_quote", "big.json", big, { maxJsonBytes: 10_000 });
      expect(error.message).toContain("JSON payload exceeds 10000 bytes");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("JSON nested thousands deep is one typed refusal, not a stack overflow", () =>
    Effect.gen(function* () {
      const deep = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
      const payloads = [
        ["iex_quote", `[{"symbol":"AAPL","latestPrice":${deep}}]`],
        ["polygon_aggs", `{"status":${deep},"results":[]}`],
        ["alphavantage_daily", `{"Time Series (Daily)":{"2025-01-02":${deep}}}`],
      ] as const;
      for (const [source, text] of payloads) {
        const error = yield* failureOf(source, `deep-${source}.json`, text);
        expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "decode" });
        expect(error.message).toContain("JSON nests deeper than 64 levels");
      }
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("an unterminated quote that swallows the rest of the file hits the record limit", () =>
    Effect.gen(function* () {
      const lines = Array.from(
        { length: 2000 },
        (_, i) => `R-${i},CLIENT_A,AAPL,BUY,1,2,2025-01-02T14:31:05Z,XNAS`,
      );
      const runaway = `${HEADER}\nR,CLIENT_A,"AAPL,BUY,1,2,x,y\n${lines.join("\n")}\n`;
      const error = yield* failureOf("execution_csv", "runaway.csv", runaway, {
        maxRecordChars: 4_096,
      });
      expect(error.message).toContain("record starting at line 2 exceeds 4096 characters");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a missing file", () =>
    Effect.gen(function* () {
      const error = yield* failureOf("execution_csv", "nope.csv", "", {}, {});
      expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "status" });
      expect(error.message).toContain("file not found");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("an Alpha Vantage rate-limit note is transient, an error message permanent", () =>
    Effect.gen(function* () {
      const note = JSON.stringify({ Information: "rate limit is 25 requests per day" });
      expect(yield* failureOf("alphavantage_daily", "note.json", note)).toMatchObject({
        _tag: "TransientSourceError",
      });
      const bad = JSON.stringify({ "Error Message": "Invalid API call" });
      expect(yield* failureOf("alphavantage_daily", "error.json", bad)).toMatchObject({
        _tag: "PermanentSourceError",
        reason: "decode",
      });
    }).pipe(Effect.provide(logicLayer())),
  );
});
