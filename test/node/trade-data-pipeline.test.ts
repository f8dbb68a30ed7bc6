/**
 * `trade_data.ingest_trades` over real HTTP (the demo feed's execution CSV, or scripted
 * answers) into a temp libSQL file: contracts, invariants, anomalies, retries, idempotency.
 */
import { Exit } from "effect";
import { describe, expect, it } from "vitest";
import { demoExecutions, demoExecutionsCsv } from "../../src/dev/demo-feed/executions";
import { demoDailyBar } from "../../src/dev/demo-feed/feed";
import { EXECUTION_CSV_COLUMNS } from "../../src/domains/trade_data/schema";
import { usePipelineDb } from "../fixtures/pipeline-db";
import { quarantineOf } from "../fixtures/sources";

const PIPELINE = "trade_data.ingest_trades";
const setup = usePipelineDb({ feed: "scripted" });
const { query } = setup;
const run = (pipeline: string, partition: string) => setup.run(pipeline, partition);
const runOk = (partition: string, pipeline = PIPELINE) => setup.runOk(pipeline, partition);
const feedRequests = () => setup.scripted.requests;

const anomalies = (partition: string) =>
  query(
    "SELECT anomaly_id, rule, category, severity, message, resolved_at, metadata FROM core_anomalies WHERE partition_key = ? ORDER BY rule, anomaly_id",
    [partition],
  );

const csv = (rows: ReadonlyArray<string>) =>
  `${EXECUTION_CSV_COLUMNS.join(",")}\n${rows.join("\n")}\n`;

describe("demo executions", () => {
  it("are deterministic, inside the session, rising, and priced within the day's bar", () => {
    const trades = demoExecutions("2025-01-02", "CLIENT_A");
    expect(trades).toEqual(demoExecutions("2025-01-02", "CLIENT_A"));
    expect(trades.length).toBeGreaterThanOrEqual(20);
    expect(trades).not.toEqual(demoExecutions("2025-01-02", "CLIENT_B"));
    const open = Date.parse("2025-01-02T14:30:00Z");
    const close = Date.parse("2025-01-02T21:00:00Z");
    let previous = 0;
    for (const t of trades) {
      const at = Date.parse(t.timestamp);
      expect(at).toBeGreaterThan(previous);
      expect(at >= open && at < close).toBe(true);
      previous = at;
      const bar = demoDailyBar(t.symbol, "2025-01-02");
      expect(Number(t.price)).toBeGreaterThanOrEqual(bar?.l ?? Number.NaN);
      expect(Number(t.price)).toBeLessThanOrEqual(bar?.h ?? Number.NaN);
    }
    expect(demoExecutionsCsv("2025-01-04", "CLIENT_A")).toBe(
      `${EXECUTION_CSV_COLUMNS.join(",")}\n`,
    );
  });
});

describe("trade_data.ingest_trades", () => {
  it("ingests a client's day; trades without market data raise one anomaly per symbol", async () => {
    const partition = "2025-01-02|CLIENT_A";
    const expected = demoExecutions("2025-01-02", "CLIENT_A");
    const result = await runOk(partition);
    expect(result).toMatchObject({
      status: "complete",
      counts: {
        received: expected.length,
        valid: expected.length,
        quarantined: 0,
        written: expected.length,
      },
    });
    expect(result.capture_id).toMatch(/^trade_data\.INGEST\.2025-01-02\|CLIENT_A\.\d{8}T\d{6}Z$/);
    expect(feedRequests()).toContain("/v1/executions/2025-01-02/CLIENT_A.csv");
    const rows = await query("SELECT * FROM trades WHERE client_id = 'CLIENT_A' ORDER BY trade_id");
    expect(rows).toHaveLength(expected.length);
    expect(rows[0]).toMatchObject({
      trade_id: expected[0]?.trade_id,
      price: expected[0]?.price,
      executed_at: expected[0]?.timestamp,
      capture_id: result.capture_id,
    });
    const symbols = new Set(expected.map((t) => t.symbol));
    const found = await anomalies(partition);
    expect(found).toHaveLength(symbols.size);
    expect(found.every((a) => a.rule === "REFERENTIAL_INTEGRITY" && a.resolved_at === null)).toBe(
      true,
    );
    expect(found.map((a) => JSON.parse(String(a.metadata)).symbol).sort()).toEqual(
      [...symbols].sort(),
    );
  });

  it("re-running is idempotent; once market data exists the anomalies are resolved", async () => {
    const partition = "2025-01-02|CLIENT_A";
    const before = await anomalies(partition);
    await runOk(partition);
    expect((await anomalies(partition)).map((a) => a.anomaly_id)).toEqual(
      before.map((a) => a.anomaly_id),
    );
    await runOk("2025-01-02|demo", "market_data.ingest_prices");
    const result = await runOk(partition);
    const [count] = await query("SELECT count(*) AS n FROM trades WHERE client_id = 'CLIENT_A'");
    expect(Number(count?.n)).toBe(result.counts.written);
    const after = await anomalies(partition);
    expect(after.map((a) => a.anomaly_id)).toEqual(before.map((a) => a.anomaly_id));
    expect(after.every((a) => a.resolved_at !== null)).toBe(true);
  });

  it("quarantines duplicates and foreign records; out-of-order timestamps are one anomaly", async () => {
    const partition = "2025-01-02|CLIENT_B";
    setup.script = (path) =>
      path === "/v1/executions/2025-01-02/CLIENT_B.csv"
        ? {
            status: 200,
            body: csv([
              "X-1,CLIENT_B,AAPL,BUY,100,240.5,2025-01-02T15:00:00Z,XNAS",
              "X-2,CLIENT_B,AAPL,SELL,100,240.6,2025-01-02T14:59:00Z,XNAS",
              "X-1,CLIENT_B,AAPL,BUY,100,240.5,2025-01-02T15:01:00Z,XNAS",
              "X-3,CLIENT_A,AAPL,BUY,100,240.5,2025-01-02T15:02:00Z,XNAS",
              "X-4,CLIENT_B,AAPL,BUY,100,240.5,2025-01-03T15:03:00Z,XNAS",
              "X-5,CLIENT_B,ZZZZ,BUY,100,10,2025-01-02T15:04:00Z,XNAS",
            ]),
          }
        : undefined;
    try {
      const result = await runOk(partition);
      expect(result.counts).toEqual({ received: 6, valid: 3, quarantined: 3, written: 3 });
      // Half the file quarantined: the valid rows are written, the gate fails the run.
      expect(result.status).toBe("failed");
      expect(result.error).toMatchObject({ tag: "QualityGateFailed", retryable: false });
      const bad = await quarantineOf(setup.db.url, partition);
      expect(bad.map((b) => [b.index, b.reasons])).toEqual([
        [
          4,
          [
            "UNIQUENESS: trade_id X-1 appears more than once for client_id CLIENT_B (first at line 2)",
          ],
        ],
        [5, ["PARTITION_MATCH: client_id CLIENT_A is not the partition's client CLIENT_B"]],
        [
          6,
          [
            "PARTITION_MATCH: timestamp 2025-01-03T15:03:00.000Z is on New York date 2025-01-03, not the partition's 2025-01-02",
          ],
        ],
      ]);
      await runOk(partition);
      const found = await anomalies(partition);
      expect(found.map((a) => [a.rule, a.category, a.severity])).toEqual([
        ["CONTRACT_VIOLATIONS", "VALIDATION", "MEDIUM"],
        ["MONOTONIC_TIMESTAMPS", "DATA_QUALITY", "MEDIUM"],
        ["QUALITY_GATE", "QUALITY_GATE", "HIGH"],
        ["REFERENTIAL_INTEGRITY", "DATA_QUALITY", "HIGH"],
      ]);
      expect(found[1]?.message).toBe(
        "1 trade(s) are timestamped before the trade preceding them (kept in payload order)",
      );
      expect(found[3]?.message).toContain("ZZZZ on 2025-01-02");
      const order = await query(
        "SELECT trade_id FROM trades WHERE client_id = 'CLIENT_B' ORDER BY rowid",
      );
      expect(order.map((r) => r.trade_id)).toEqual(["X-1", "X-2", "X-5"]);
    } finally {
      setup.script = () => undefined;
    }
  });

  it("retries a transient feed failure per request; a 404 fails the run permanently", async () => {
    setup.script = (path, count) =>
      path.endsWith("/2025-01-03/CLIENT_R.csv") && count <= 2
        ? { status: 503, body: "busy", headers: { "retry-after": "0" } }
        : path.endsWith("/2025-01-03/CLIENT_404.csv")
          ? { status: 404, body: "no such client" }
          : undefined;
    try {
      const ok = await runOk("2025-01-03|CLIENT_R");
      expect(ok.status).toBe("complete");
      expect(feedRequests().filter((p) => p.endsWith("/2025-01-03/CLIENT_R.csv"))).toHaveLength(3);
      const failed = await runOk("2025-01-03|CLIENT_404");
      expect(failed).toMatchObject({
        status: "failed",
        error: { tag: "PermanentSourceError", retryable: false },
      });
      expect(failed.error?.message).toContain("HTTP 404");
    } finally {
      setup.script = () => undefined;
    }
  });

  it("weekends and holidays expect no data; bad keys are refused", async () => {
    expect((await runOk("2025-01-04|CLIENT_A")).status).toBe("no_data_expected");
    expect((await runOk("2025-01-01|CLIENT_A")).status).toBe("no_data_expected");
    const exit = await run(PIPELINE, "2025-01-02");
    expect(Exit.isFailure(exit) && exit.cause.toString()).toContain("InvalidPartitionKey");
  });

  it("runs a client with a space end to end: URL, actor name, capture id, rows", async () => {
    const result = await runOk("2025-01-03|Client A");
    expect(result.status).toBe("complete");
    expect(result.capture_id).toMatch(/^trade_data\.INGEST\.2025-01-03\|Client A\.\d{8}T/);
    expect(result.counts.written).toBeGreaterThan(0);
    expect(result.counts.quarantined).toBe(0);
    expect(feedRequests()).toContain("/v1/executions/2025-01-03/Client%20A.csv");
    const [row] = await query(
      "SELECT count(*) AS n FROM trades WHERE client_id = 'Client A' AND capture_id = ?",
      [result.capture_id],
    );
    expect(Number(row?.n)).toBe(result.counts.written);
  });
});
