import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRequest } from "../../src/core/pipeline/runner";
import { runPipeline } from "../../src/core/pipeline/runner";
import { UNIVERSES } from "../../src/domains/market_data/universes";
import { PIPELINES } from "../../src/domains/registry";
import { nodePipelineLayer } from "../../src/node/runtime";
import {
  type ScriptedAnswer,
  type ScriptedFeed,
  startScriptedFeed,
} from "../fixtures/scripted-feed";
import { makeTempDb, query as queryDb, type TempDb } from "../fixtures/temp-db";

const PIPELINE = "market_data.ingest_prices";
const DEMO_SIZE = UNIVERSES.demo?.length ?? 0;

let db: TempDb;
let feed: ScriptedFeed;
let script: (path: string, count: number) => ScriptedAnswer = () => undefined;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startScriptedFeed((path, count) => script(path, count));
});

afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const run = (partition: string, extra: Partial<RunRequest> = {}) =>
  Effect.runPromiseExit(
    runPipeline(PIPELINES, { pipeline: PIPELINE, partition, trigger: "cli", ...extra }).pipe(
      Effect.provide(
        nodePipelineLayer({
          db: { url: db.url },
          vars: {
            MARKET_DATA_BASE_URL: feed.url,
            RETRY_BASE_DELAY_MS: "5",
            RETRY_MAX_ATTEMPTS: "3",
          },
          logLevel: LogLevel.None,
        }),
      ),
    ),
  );

const runOk = async (partition: string) => {
  const exit = await run(partition);
  if (Exit.isFailure(exit)) throw new Error(`run failed: ${exit.cause.toString()}`);
  return exit.value;
};

const query = (sql: string, args: Array<string | number> = []) => queryDb(db.url, sql, args);

const aggPath = (symbol: string, date: string) =>
  `/v2/aggs/ticker/${symbol}/range/1/day/${date}/${date}`;

describe("market_data.ingest_prices", () => {
  it("ingests a trading day of the demo universe with capture columns", async () => {
    const result = await runOk("2025-01-02|demo");
    expect(result).toMatchObject({
      status: "complete",
      pipeline: PIPELINE,
      partition: "2025-01-02|demo",
      counts: { received: DEMO_SIZE, valid: DEMO_SIZE, quarantined: 0, written: DEMO_SIZE },
      attempts: 1,
    });
    expect(result.capture_id).toMatch(/^market_data\.INGEST\.2025-01-02\|demo\.\d{8}T\d{6}Z$/);

    const rows = await query("SELECT * FROM market_prices WHERE trading_date = ? ORDER BY symbol", [
      "2025-01-02",
    ]);
    expect(rows).toHaveLength(DEMO_SIZE);
    for (const row of rows) {
      expect(row.capture_id).toBe(result.capture_id);
      expect(row.execution_id).toBe(result.execution_id);
      expect(row.batch_id).toBe(result.batch_id);
      expect(row.captured_at).toBe(result.started_at);
      expect(typeof row.close).toBe("string");
      expect(String(row.close)).toMatch(/^\d+(\.\d+)?$/);
      expect(row.source).toBe("polygon");
    }
    const manifest = await query(
      "SELECT status, row_count, domain, stage FROM core_manifest WHERE capture_id = ?",
      [result.capture_id],
    );
    expect(manifest).toEqual([
      expect.objectContaining({
        status: "complete",
        row_count: DEMO_SIZE,
        domain: "market_data",
        stage: "INGEST",
      }),
    ]);
    const events = await query(
      "SELECT event_type FROM core_audit_log WHERE capture_id = ? ORDER BY seq",
      [result.capture_id],
    );
    expect(events.map((e) => e.event_type)).toEqual([
      "run_started",
      "ingested",
      "normalized",
      "validated",
      "written",
      "run_completed",
    ]);
  });

  it("re-running a partition upserts: no duplicate rows, same values, new capture", async () => {
    const before = await query(
      "SELECT symbol, open, high, low, close, volume, vwap FROM market_prices WHERE trading_date = '2025-01-03' ORDER BY symbol",
    );
    const first = await runOk("2025-01-03|demo");
    const afterFirst = await query(
      "SELECT symbol, open, high, low, close, volume, vwap FROM market_prices WHERE trading_date = '2025-01-03' ORDER BY symbol",
    );
    await new Promise((r) => setTimeout(r, 1100)); // a later second gives a distinct capture id
    const second = await runOk("2025-01-03|demo");
    const afterSecond = await query(
      "SELECT symbol, open, high, low, close, volume, vwap FROM market_prices WHERE trading_date = '2025-01-03' ORDER BY symbol",
    );
    expect(before).toHaveLength(0);
    expect(afterFirst).toHaveLength(DEMO_SIZE);
    expect(afterSecond).toEqual(afterFirst);
    expect(second.counts.written).toBe(DEMO_SIZE);
    expect(second.capture_id).not.toBe(first.capture_id);
    const captures = await query(
      "SELECT DISTINCT capture_id FROM market_prices WHERE trading_date = '2025-01-03'",
    );
    expect(captures).toEqual([expect.objectContaining({ capture_id: second.capture_id })]);
    const manifest = await query(
      "SELECT count(*) AS n FROM core_manifest WHERE partition_key = '2025-01-03|demo' AND status = 'complete'",
    );
    expect(manifest[0]?.n).toBe(2);
  });

  it("weekends and NYSE holidays are no_data_expected without a request", async () => {
    const requestsBefore = feed.requests.length;
    for (const [partition, reason] of [
      ["2025-01-04|demo", "weekend"],
      ["2025-01-09|demo", "NYSE holiday: National Day of Mourning for President Jimmy Carter"],
      ["2025-12-25|demo", "NYSE holiday: Christmas Day"],
    ] as const) {
      const result = await runOk(partition);
      expect(result.status).toBe("no_data_expected");
      expect(result.counts).toEqual({ received: 0, valid: 0, quarantined: 0, written: 0 });
      const meta = await query("SELECT metadata FROM core_manifest WHERE capture_id = ?", [
        result.capture_id,
      ]);
      expect(JSON.parse(String(meta[0]?.metadata)).details.reason).toMatch(
        reason.split(":")[0] ?? reason,
      );
    }
    expect(feed.requests.length).toBe(requestsBefore);
  });

  it("quarantines invalid records with every reason and writes the rest", async () => {
    const date = "2025-01-06";
    script = (path) =>
      path === aggPath("AAPL", date)
        ? {
            status: 200,
            body: JSON.stringify({
              ticker: "AAPL",
              status: "OK",
              resultsCount: 1,
              results: [{ o: -10.5, h: "x", l: 240, c: 245, v: 1.5, t: 1736139600000 }],
            }),
          }
        : path === aggPath("MSFT", date)
          ? {
              status: 200,
              body: JSON.stringify({
                ticker: "msft",
                status: "OK",
                results: [{ o: 1, h: 2, l: 1, c: 2, v: 3, t: 1736139600000 }],
              }),
            }
          : undefined;
    try {
      const result = await runOk(`${date}|demo`);
      expect(result.counts).toEqual({
        received: DEMO_SIZE,
        valid: DEMO_SIZE - 2,
        quarantined: 2,
        written: DEMO_SIZE - 2,
      });
      const quarantined = await query(
        "SELECT raw_record, reasons, capture_id, source FROM core_quarantine WHERE partition_key = ? ORDER BY record_index",
        [`${date}|demo`],
      );
      expect(quarantined).toHaveLength(2);
      const reasons = quarantined.map((q) => JSON.parse(String(q.reasons)) as Array<string>);
      expect(reasons.flat()).toEqual(
        expect.arrayContaining([
          "PRICE_VALIDITY: open must be positive, got -10.5",
          'PRICE_VALIDITY: high must be a decimal number, got "x"',
          "VOLUME_VALIDITY: volume must be a non-negative integer, got 1.5",
          'SYMBOL_FORMAT: symbol must be 1-10 upper-case letters or digits, got "msft"',
        ]),
      );
      expect(
        quarantined.every((q) => q.capture_id === result.capture_id && q.source === "polygon"),
      ).toBe(true);
      expect(
        String(quarantined.find((q) => String(q.raw_record).includes("AAPL"))?.raw_record),
      ).toContain('"o":-10.5');

      // Re-running updates the same quarantine rows instead of adding copies.
      await runOk(`${date}|demo`);
      const again = await query(
        "SELECT count(*) AS n FROM core_quarantine WHERE partition_key = ?",
        [`${date}|demo`],
      );
      expect(again[0]?.n).toBe(2);
    } finally {
      script = () => undefined;
    }
  });

  it("retries transient failures (503, 429 with Retry-After) and then completes", async () => {
    const date = "2025-01-07";
    script = (path, count) =>
      path === aggPath("NVDA", date) && count === 1
        ? { status: 503, body: "upstream down" }
        : path === aggPath("TSLA", date) && count <= 2
          ? { status: 429, body: "slow down", headers: { "retry-after": "0" } }
          : undefined;
    try {
      const result = await runOk(`${date}|demo`);
      expect(result.status).toBe("complete");
      expect(result.attempts).toBe(1);
      expect(result.counts.written).toBe(DEMO_SIZE);
      const requested = (symbol: string) =>
        feed.requests.filter((p) => p.startsWith(aggPath(symbol, date))).length;
      expect([requested("NVDA"), requested("TSLA"), requested("AAPL")]).toEqual([2, 3, 1]);
    } finally {
      script = () => undefined;
    }
  });

  it("fails a run on a permanent 4xx after exactly one attempt, and on a body that is not JSON", async () => {
    script = (path) =>
      path === aggPath("JPM", "2025-01-08")
        ? { status: 404, body: '{"status":"NOT_FOUND"}' }
        : undefined;
    try {
      const before = feed.requests.filter((p) => p.includes("/JPM/")).length;
      const result = await runOk("2025-01-08|demo");
      expect(result.status).toBe("failed");
      expect(result.attempts).toBe(1);
      expect(result.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
      expect(result.error?.message).toContain("HTTP 404");
      expect(feed.requests.filter((p) => p.includes("/JPM/")).length - before).toBe(1);
      const manifest = await query("SELECT status FROM core_manifest WHERE capture_id = ?", [
        result.capture_id,
      ]);
      expect(manifest[0]?.status).toBe("failed");
    } finally {
      script = () => undefined;
    }
    script = (path) =>
      path === aggPath("KO", "2025-01-10") ? { status: 200, body: "<html>oops" } : undefined;
    try {
      const result = await runOk("2025-01-10|demo");
      expect(result.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
      expect(result.error?.message).toContain("not JSON");
    } finally {
      script = () => undefined;
    }
  });

  it("keeps failing transient errors retryable once attempts run out", async () => {
    script = (path) =>
      path === aggPath("V", "2025-01-13") ? { status: 502, body: "bad gateway" } : undefined;
    try {
      const result = await runOk("2025-01-13|demo");
      expect(result).toMatchObject({ status: "failed", attempts: 1 });
      expect(result.error).toMatchObject({ tag: "TransientSourceError", retryable: true });
      expect(result.error?.message).toContain("HTTP 502: bad gateway (after 3 attempts)");
    } finally {
      script = () => undefined;
    }
  });

  it("refuses unknown pipelines and malformed partition keys with typed errors", async () => {
    const badKey = await run("2025-02-30|demo");
    expect(Exit.isFailure(badKey) && badKey.cause._tag === "Fail" && badKey.cause.error._tag).toBe(
      "InvalidPartitionKey",
    );
    const badUniverse = await run("2025-01-02|nope");
    expect(
      Exit.isFailure(badUniverse) &&
        badUniverse.cause._tag === "Fail" &&
        badUniverse.cause.error.message,
    ).toContain('unknown universe "nope"');
    const unknown = await Effect.runPromiseExit(
      runPipeline(PIPELINES, { pipeline: "nope.pipeline", partition: "x", trigger: "cli" }).pipe(
        Effect.provide(
          nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None }),
        ),
      ),
    );
    expect(
      Exit.isFailure(unknown) && unknown.cause._tag === "Fail" && unknown.cause.error._tag,
    ).toBe("UnknownPipeline");
  });
});
