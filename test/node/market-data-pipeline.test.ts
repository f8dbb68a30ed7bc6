/**
 * `market_data.ingest_prices` writing `market_prices` in a temp libSQL file, over real HTTP
 * (the demo feed, or answers a test scripts): capture columns, manifest and audit, upserts on
 * re-runs and backfills, quarantine beside the rows written, retries that end in a complete
 * run. (Runs that end before any write: `market-data-runs.test.ts`, in memory.)
 */
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { executeBackfill, newBackfillId, planBackfill } from "../../src/core/backfill/backfill";
import { UNIVERSES } from "../../src/domains/market_data/universes";
import { PIPELINES } from "../../src/domains/registry";
import { CLEAN_RUN_EVENTS } from "../fixtures/audit-events";
import { usePipelineDb } from "../fixtures/pipeline-db";

const PIPELINE = "market_data.ingest_prices";
const DEMO_SIZE = UNIVERSES.demo?.length ?? 0;

const setup = usePipelineDb({ feed: "scripted", vars: { RETRY_MAX_ATTEMPTS: "3" } });
const { query } = setup;
const runOk = (partition: string) => setup.runOk(PIPELINE, partition);
const feedRequests = () => setup.scripted.requests;

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
    expect(events.map((e) => e.event_type)).toEqual(CLEAN_RUN_EVENTS);
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

  it("quarantines invalid records with every reason and writes the rest", async () => {
    const date = "2025-01-06";
    setup.script = (path) =>
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
      setup.script = () => undefined;
    }
  });

  it("retries transient failures (503, 429 with Retry-After) and then completes", async () => {
    const date = "2025-01-07";
    setup.script = (path, count) =>
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
        feedRequests().filter((p) => p.startsWith(aggPath(symbol, date))).length;
      expect([requested("NVDA"), requested("TSLA"), requested("AAPL")]).toEqual([2, 3, 1]);
    } finally {
      setup.script = () => undefined;
    }
  });

  it("a backfill of the same range twice leaves the same rows, one per symbol and session", async () => {
    const snapshot = () =>
      query(
        "SELECT symbol, trading_date, open, high, low, close, volume FROM market_prices " +
          "WHERE trading_date BETWEEN '2025-01-13' AND '2025-01-24' ORDER BY trading_date, symbol",
      );
    const backfill = (concurrency: number) =>
      setup.ok(
        Effect.flatMap(
          planBackfill(PIPELINES, {
            pipeline: PIPELINE,
            start: "2025-01-13",
            end: "2025-01-24",
            params: { universe: "demo" },
          }),
          (plan) =>
            executeBackfill(PIPELINES, plan, {
              backfillId: newBackfillId(new Date()),
              concurrency,
            }),
        ),
      );
    const first = await backfill(4);
    const rows = await snapshot();
    const second = await backfill(1);
    // Martin Luther King Jr. Day (20th) and one weekend: no data expected.
    expect(first).toMatchObject({ total: 12, complete: 9, no_data_expected: 3 });
    expect(await snapshot()).toEqual(rows);
    expect(rows).toHaveLength(9 * DEMO_SIZE);
    // Every run of the backfill carries its id as the batch id.
    const batches = await query(
      "SELECT DISTINCT batch_id FROM market_prices WHERE trading_date BETWEEN '2025-01-13' AND '2025-01-24'",
    );
    expect(batches).toEqual([expect.objectContaining({ batch_id: second.backfill_id })]);
  });
});
