/**
 * The round trips of a partition run inside workerd, counted at a real libSQL endpoint of
 * their own (`COUNTED_LIBSQL_URL`, `GET /__stats`): the run's manifest, readiness and audit
 * ride with its writes — its `running` row at the start, its data write, one request at its
 * end (`core/pipeline/run-writes.ts`) —
 * on the runtime a `PartitionActor` runs on (`@libsql/client/http`). A failed request leaves
 * nothing of itself behind and loses nothing that rode with it; a retry converges. The output
 * hash a run records is read page by page (one page for a small partition) and equals the
 * hash of one full read.
 */
import { env } from "cloudflare:test";
import { createClient } from "@libsql/client/http";
import * as Effect from "effect/Effect";
import * as Schedule from "effect/Schedule";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/audit/verify";
import { newYorkDate } from "../../src/calendar/sessions";
import type { CanonicalRecord } from "../../src/core/model/canonical-record";
import { PartitionKey } from "../../src/core/model/ids";
import { makeRunWrites } from "../../src/core/pipeline/run-writes";
import { runPipeline } from "../../src/core/pipeline/runner";
import { pagedOutput } from "../../src/core/pipeline/stored-output";
import { markReadiness } from "../../src/core/store/readiness";
import { bulkUpsert } from "../../src/db/bulk-upsert";
import type { DatabaseError } from "../../src/db/errors";
import { PendingWrites } from "../../src/db/pending-writes";
import { PIPELINES } from "../../src/domains/registry";
import {
  type RequestStatsSnapshot,
  statsDelta,
} from "../../src/node/dev/libsql-server/request-stats";
import { storedOutputHash } from "../../src/reconciliation/canonical";
import { appEnvOf } from "../../src/worker/actors";
import { partitionActorRuntime } from "../../src/worker/runtime";
import { CLEAN_RUN_EVENTS } from "../fixtures/audit-events";

const PRICES = "market_data.ingest_prices";
const TRADES = "trade_data.ingest_trades";
const vars = { ...appEnvOf(env).VARS, LIBSQL_URL: env.COUNTED_LIBSQL_URL };
/** A fresh runtime is a fresh Durable Object: its own client, no audit tail known yet. */
const actorRuntime = (name: string) => partitionActorRuntime(vars, `round-trips-${name}`);

const stats = async (): Promise<RequestStatsSnapshot> =>
  (await (await fetch(`${env.COUNTED_LIBSQL_URL}/__stats`)).json()) as RequestStatsSnapshot;

const sql = async (statement: string, args: Array<string | number> = []) => {
  const client = createClient({ url: env.COUNTED_LIBSQL_URL });
  try {
    return (await client.execute({ sql: statement, args })).rows;
  } finally {
    client.close();
  }
};

/** Runs one partition on a fresh actor runtime; its result and the requests it made. */
const countedRun = async (name: string, partition: string, pipeline = PRICES) => {
  const runtime = actorRuntime(name);
  try {
    const before = await stats();
    const result = await runtime.runPromise(
      runPipeline(PIPELINES, { pipeline, partition, trigger: "http" }),
    );
    return { result, requests: statsDelta(before, await stats()) };
  } finally {
    await runtime.dispose();
  }
};

/** Requests whose statements include all of `labels`. */
const requestsWith = (delta: RequestStatsSnapshot, ...labels: ReadonlyArray<string>) =>
  Object.entries(delta.by_statements)
    .filter(([shape]) => labels.every((l) => shape.split(" + ").includes(l)))
    .reduce((n, [, count]) => n + count, 0);

/** Requests that carry nothing but `label` (and the transaction around it). */
const requestsOnly = (delta: RequestStatsSnapshot, label: string) =>
  Object.entries(delta.by_statements)
    .filter(([shape]) =>
      shape
        .split(" + ")
        .every(
          (s) =>
            s === label || ["BEGIN", "COMMIT", "ROLLBACK", "SELECT core_audit_log"].includes(s),
        ),
    )
    .filter(([shape]) => shape.includes(label))
    .reduce((n, [, count]) => n + count, 0);

const auditEventsOf = async (captureId: string) =>
  (
    await sql("SELECT event_type FROM core_audit_log WHERE capture_id = ? ORDER BY seq", [
      captureId,
    ])
  ).map((r) => String(r.event_type));

const chainIsIntact = async () => {
  const runtime = actorRuntime("verify");
  try {
    return (await runtime.runPromise(verifyAuditChain())).ok;
  } finally {
    await runtime.dispose();
  }
};

describe("a partition's round trips to libSQL over HTTP", () => {
  it("a trading day: its running row at the start, the audit with the rows, the rest at the end", async () => {
    const { result, requests } = await countedRun("day", "2025-02-03|demo");
    expect(result).toMatchObject({ status: "complete", counts: { written: 20 } });
    // Before batching the same run made 16: 2 manifest, 1 readiness, 3 audit, 1 audit tail, …
    expect(requests.http_requests).toBeLessThanOrEqual(7);
    // The manifest twice: `running` on its own at the start (the partition shows as running),
    // and the final row with the readiness and every held audit event.
    expect(requestsWith(requests, "INSERT core_manifest")).toBe(2);
    expect(requestsOnly(requests, "INSERT core_manifest")).toBe(1);
    expect(
      requestsWith(
        requests,
        "INSERT core_manifest",
        "INSERT core_data_readiness",
        "INSERT core_audit_log",
      ),
    ).toBe(1);
    // `run_started` waited for the audit tail (learnt at the start) and rode with the rows.
    expect(requestsWith(requests, "INSERT market_prices", "INSERT core_audit_log")).toBe(1);
    for (const alone of ["INSERT core_audit_log", "INSERT core_data_readiness"]) {
      expect(requestsOnly(requests, alone)).toBe(0);
    }
    const [manifest] = await sql(
      "SELECT status, row_count FROM core_manifest WHERE capture_id = ?",
      [result.capture_id],
    );
    expect(manifest).toMatchObject({ status: "complete", row_count: 20 });
    expect(await auditEventsOf(result.capture_id)).toEqual(CLEAN_RUN_EVENTS);
    expect(await chainIsIntact()).toBe(true);
  });

  it("a closed day: its running row at the start, the rest of its record in one request", async () => {
    const { result, requests } = await countedRun("saturday", "2025-02-08|demo");
    expect(result.status).toBe("no_data_expected");
    // The sweep of interrupted captures, the `running` row (which learns the audit tail a new
    // client does not know), then the final row, the readiness and the audit; before: 8.
    expect(requests.http_requests).toBe(3);
    expect(requestsWith(requests, "INSERT core_manifest", "INSERT core_data_readiness")).toBe(1);
    expect(await auditEventsOf(result.capture_id)).toEqual([
      "run_started",
      "no_data_expected",
      "no_data_expected",
    ]);
  });
});

describe("a partition's output hash over HTTP", () => {
  it("is recorded from the stored trades read in pages: one page for a small partition", async () => {
    const partition = "2025-01-02|CLIENT_A";
    const { result, requests } = await countedRun("trades", partition, TRADES);
    expect(result.status).toBe("complete");
    expect(result.counts.written).toBeGreaterThanOrEqual(20);
    // The output hash's read of the partition is the run's only read of `trades`.
    expect(requestsWith(requests, "SELECT trades")).toBe(1);
    const [manifest] = await sql(
      "SELECT json_extract(metadata, '$.output') AS output FROM core_manifest WHERE capture_id = ?",
      [result.capture_id],
    );
    // The same rows read whole, in one query, with the New York day cut: the old full read.
    const rows = (
      await sql(
        `SELECT client_id, trade_id, symbol, side, quantity, price, executed_at, venue, source
FROM trades WHERE client_id = 'CLIENT_A'`,
      )
    ).filter((r) => newYorkDate(Date.parse(String(r.executed_at))) === "2025-01-02");
    const full = storedOutputHash(
      ["client_id", "trade_id"],
      rows.map((r) => ({ ...r }) as CanonicalRecord),
    );
    expect(full.records).toBe(result.counts.written);
    expect(JSON.parse(String(manifest?.output))).toEqual(full);
    // Pages of three rows, inside workerd, hash to the same.
    const replay = PIPELINES.get(TRADES)?.replay;
    if (!replay) throw new Error("trades have no replay mode");
    const runtime = actorRuntime("trades-pages");
    try {
      const paged = await runtime.runPromise(pagedOutput(replay, PartitionKey.make(partition), 3));
      expect(paged).toEqual(full);
    } finally {
      await runtime.dispose();
    }
  });
});

describe("a failed request of a run", () => {
  it("leaves nothing of itself, keeps what rode with it, and a retry converges", async () => {
    await sql("CREATE TABLE IF NOT EXISTS test_faults (trading_date TEXT PRIMARY KEY)");
    await sql(`CREATE TRIGGER IF NOT EXISTS test_fail_prices BEFORE INSERT ON market_prices
WHEN EXISTS (SELECT 1 FROM test_faults WHERE trading_date = NEW.trading_date)
BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
    await sql("INSERT INTO test_faults VALUES ('2025-02-04')");

    const failed = await countedRun("fault", "2025-02-04|demo");
    expect(failed.result).toMatchObject({
      status: "failed",
      error: { tag: "DatabaseError", retryable: true },
    });
    expect(await sql("SELECT 1 FROM market_prices WHERE trading_date = '2025-02-04'")).toEqual([]);
    // What rode with the failed write went out at the end of the run: nothing is lost.
    const [manifest] = await sql("SELECT status FROM core_manifest WHERE capture_id = ?", [
      failed.result.capture_id,
    ]);
    expect(manifest).toMatchObject({ status: "failed" });
    expect(await auditEventsOf(failed.result.capture_id)).toEqual(["run_started", "run_failed"]);

    await sql("DELETE FROM test_faults");
    const stored = () =>
      sql(
        `SELECT symbol, source, open, high, low, close, volume, vwap, trade_count, bar_start
FROM market_prices WHERE trading_date = '2025-02-04' ORDER BY symbol`,
      );
    const outputHash = async (captureId: string) =>
      (
        await sql(
          "SELECT json_extract(metadata, '$.output.sha256') AS sha FROM core_manifest WHERE capture_id = ?",
          [captureId],
        )
      )[0]?.sha;
    const retried = await countedRun("retry", "2025-02-04|demo");
    const afterRetry = { rows: await stored(), sha: await outputHash(retried.result.capture_id) };
    const again = await countedRun("again", "2025-02-04|demo");
    for (const run of [retried, again]) {
      expect(run.result).toMatchObject({ status: "complete", counts: { written: 20 } });
    }
    // The retry left exactly what a clean run over it leaves (apart from capture columns).
    expect(afterRetry.rows).toHaveLength(20);
    expect(await stored()).toEqual(afterRetry.rows);
    expect(afterRetry.sha).toEqual(expect.any(String));
    expect(await outputHash(again.result.capture_id)).toEqual(afterRetry.sha);
    expect(await chainIsIntact()).toBe(true);
  });

  it("a batch that fails mid-way rolls back the statements before the failure too", async () => {
    await sql("INSERT INTO test_faults VALUES ('2025-02-05')");
    const runtime = actorRuntime("batch");
    const tailBefore = await sql("SELECT max(seq) AS seq FROM core_audit_log");
    const mark = {
      domain: "round_trips",
      stage: "TEST",
      partitionKey: "2025-02-05|demo",
      isReady: true,
      checkedAt: "2025-02-05T21:00:00.000Z",
    };
    const event = {
      eventType: "written" as const,
      entityType: "table",
      entityId: "market_prices",
      domain: "round_trips",
      partitionKey: mark.partitionKey,
    };
    const insertBar = {
      sql: `INSERT INTO market_prices (symbol, trading_date, source, bar_start, open, high, low, close, volume, capture_id, captured_at, execution_id, batch_id)
VALUES ('TEST', '2025-02-05', 'test', '2025-02-05T14:30:00.000Z', '1', '1', '1', '1', '1', 'c', 'x', 'e', 'b')`,
      args: [],
    };
    try {
      const outcome = await runtime.runPromise(
        Effect.gen(function* () {
          const writes = yield* makeRunWrites;
          yield* writes.hold(markReadiness(mark));
          yield* writes.auditLog.append([event], mark.checkedAt);
          const failedWrite = yield* Effect.either(
            writes.pending.writeWith("test.write", [insertBar]),
          );
          const readinessAfterFailure = yield* Effect.promise(() =>
            sql("SELECT 1 FROM core_data_readiness WHERE domain = 'round_trips'"),
          );
          yield* writes.flush;
          return { failedWrite, readinessAfterFailure };
        }).pipe(Effect.orDie),
      );
      expect(outcome.failedWrite._tag).toBe("Left");
      // The readiness upsert before the failing insert was rolled back with it…
      expect(outcome.readinessAfterFailure).toEqual([]);
      // …and written by the next request, with the audit event that rode along.
      expect(
        await sql("SELECT is_ready FROM core_data_readiness WHERE domain = 'round_trips'"),
      ).toEqual([{ is_ready: 1 }]);
      const appended = await sql(
        "SELECT event_type FROM core_audit_log WHERE domain = 'round_trips' AND seq > ?",
        [Number(tailBefore[0]?.seq ?? 0)],
      );
      expect(appended.map((r) => r.event_type)).toEqual(["written"]);
      expect(await sql("SELECT 1 FROM market_prices WHERE trading_date = '2025-02-05'")).toEqual(
        [],
      );
      expect(await chainIsIntact()).toBe(true);
    } finally {
      await runtime.dispose();
    }
  });

  it("bulkUpsert retried after a failed chunk writes every row, and what rode with it, once", async () => {
    await sql("CREATE TABLE IF NOT EXISTS test_rows (k TEXT PRIMARY KEY, v TEXT, batch_id TEXT)");
    await sql("CREATE TABLE IF NOT EXISTS test_row_faults (k TEXT PRIMARY KEY)");
    await sql(`CREATE TRIGGER IF NOT EXISTS test_fail_rows BEFORE INSERT ON test_rows
WHEN EXISTS (SELECT 1 FROM test_row_faults WHERE k = NEW.k)
BEGIN SELECT RAISE(ABORT, 'injected fault'); END`);
    await sql("INSERT INTO test_row_faults VALUES ('c')");
    const spec = { table: "test_rows", columns: ["k", "v"], key: ["k"], shared: ["batch_id"] };
    const rows = [
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ];
    const event = {
      eventType: "written" as const,
      entityType: "table",
      entityId: "test_rows",
      domain: "round_trips_retry",
      partitionKey: "2025-02-06|demo",
    };
    const runtime = actorRuntime("retry-upsert");
    const attempts: Array<string> = [];
    try {
      const written = await runtime.runPromise(
        Effect.gen(function* () {
          const writes = yield* makeRunWrites;
          yield* writes.auditLog.append([event], "2025-02-06T21:00:00.000Z");
          // Two chunks; the second fails once, then the fault is gone and the retry runs both.
          const retryOnce = Schedule.recurs(1).pipe(
            Schedule.tapInput((e: DatabaseError) =>
              Effect.promise(async () => {
                attempts.push(e.message);
                await sql("DELETE FROM test_row_faults");
              }),
            ),
          );
          const n = yield* bulkUpsert(spec, rows, ["batch-1"], 2).pipe(
            Effect.retry(retryOnce),
            Effect.provideService(PendingWrites, writes.pending),
          );
          yield* writes.flush;
          return n;
        }),
      );
      expect(attempts).toHaveLength(1);
      expect(attempts[0]).toContain("injected fault");
      expect(written).toBe(3);
      expect(await sql("SELECT k, v, batch_id FROM test_rows ORDER BY k")).toEqual([
        { k: "a", v: "1", batch_id: "batch-1" },
        { k: "b", v: "2", batch_id: "batch-1" },
        { k: "c", v: "3", batch_id: "batch-1" },
      ]);
      const events = await sql(
        "SELECT event_type FROM core_audit_log WHERE domain = 'round_trips_retry'",
      );
      expect(events).toEqual([{ event_type: "written" }]);
      expect(await chainIsIntact()).toBe(true);
    } finally {
      await runtime.dispose();
    }
  });
});
