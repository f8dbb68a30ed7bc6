/**
 * Retries, fault injection and dead letters, against the real demo feed and a libSQL file.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tradingDaysBetween } from "../../src/calendar/nyse";
import { type RunRequest, runPipeline } from "../../src/core/pipeline/runner";
import { NO_FAULTS } from "../../src/dev/demo-feed/faults";
import { PIPELINES } from "../../src/domains/registry";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { makeTempDb, query as queryDb, type TempDb } from "../fixtures/temp-db";

const PIPELINE = "market_data.ingest_prices";
const BIN = fileURLToPath(new URL("../../bin/dataspine.mjs", import.meta.url));

let db: TempDb;
let feed: DemoFeedServer;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
});

afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const run = async (
  partition: string,
  vars: Record<string, string> = {},
  extra: Partial<RunRequest> = {},
) => {
  const exit = await Effect.runPromiseExit(
    runPipeline(PIPELINES, { pipeline: PIPELINE, partition, trigger: "cli", ...extra }).pipe(
      Effect.provide(
        nodePipelineLayer({
          db: { url: db.url },
          vars: { MARKET_DATA_BASE_URL: feed.url, RETRY_BASE_DELAY_MS: "1", ...vars },
          logLevel: LogLevel.None,
        }),
      ),
    ),
  );
  if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
  return exit.value;
};

const query = (sql: string, args: Array<string | number> = []) => queryDb(db.url, sql, args);

describe("fault injection", () => {
  it("with 30% transient faults every partition completes and no row is duplicated", async () => {
    const days = tradingDaysBetween("2025-05-01", "2025-05-14");
    const counting = await startDemoFeed({
      port: 0,
      faults: {
        ...NO_FAULTS,
        errorRate: 0.25,
        truncateRate: 0.05,
        statuses: [503, 429, 500, 502],
        seed: 7,
      },
    });
    try {
      for (const date of days) {
        const result = await run(`${date}|demo`, {
          MARKET_DATA_BASE_URL: counting.url,
          RETRY_MAX_ATTEMPTS: "12",
        });
        expect(result).toMatchObject({ status: "complete", counts: { received: 20, written: 20 } });
      }
      // And once more over the same range: still one row per symbol and date.
      for (const date of days.slice(0, 3))
        await run(`${date}|demo`, { MARKET_DATA_BASE_URL: counting.url, RETRY_MAX_ATTEMPTS: "12" });
      const stats = await query(
        `SELECT count(*) AS n, count(DISTINCT symbol || trading_date || source) AS d
           FROM market_prices WHERE trading_date BETWEEN '2025-05-01' AND '2025-05-14'`,
      );
      expect(stats[0]).toMatchObject({ n: days.length * 20, d: days.length * 20 });
      const faults = (await fetch(`${counting.url}/__faults`).then((r) => r.json())) as {
        error_rate: number;
        stats: { requests: number; injected: number };
      };
      // Roughly 30% of all requests failed, and every one of them was retried.
      const { requests, injected } = faults.stats;
      expect(requests - injected).toBe((days.length + 3) * 20);
      expect(injected / requests).toBeGreaterThan(0.2);
      expect(injected / requests).toBeLessThan(0.4);
    } finally {
      await counting.close();
    }
  });

  it("faults are deterministic per path and attempt, and settable over HTTP", async () => {
    const set = await fetch(`${feed.url}/__faults`, {
      method: "POST",
      body: JSON.stringify({ error_rate: 1, statuses: [503], match: "/AAPL/" }),
    });
    expect(await set.json()).toMatchObject({ error_rate: 1, statuses: [503], match: "/AAPL/" });
    const aapl = await fetch(`${feed.url}/v2/aggs/ticker/AAPL/range/1/day/2025-01-02/2025-01-02`);
    expect([aapl.status, aapl.headers.get("retry-after")]).toEqual([503, "0"]);
    const msft = await fetch(`${feed.url}/v2/aggs/ticker/MSFT/range/1/day/2025-01-02/2025-01-02`);
    expect(msft.status).toBe(200);
    const bad = await fetch(`${feed.url}/__faults`, { method: "POST", body: '{"error_rate":2}' });
    expect(bad.status).toBe(400);
    feed.setFaults(NO_FAULTS);
  });
});

describe("dead letters", () => {
  it("a permanent 4xx goes to core_dead_letters after exactly one attempt, with the payload", async () => {
    feed.setFaults({
      ...NO_FAULTS,
      errorRate: 1,
      statuses: [404],
      match: "/JNJ/range/1/day/2025-05-15",
    });
    try {
      const result = await run("2025-05-15|demo");
      expect(result.status).toBe("failed");
      expect(result.dead_letter_id).toMatch(/^dl_[0-9a-f]{24}$/);
      const rows = await query("SELECT * FROM core_dead_letters WHERE dead_letter_id = ?", [
        result.dead_letter_id ?? "",
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        pipeline: PIPELINE,
        partition_key: "2025-05-15|demo",
        source: "polygon",
        error_tag: "PermanentSourceError",
        attempts: 1,
        status: "open",
        capture_id: result.capture_id,
      });
      expect(JSON.parse(String(rows[0]?.request))).toMatchObject({ method: "GET" });
      expect(String(rows[0]?.request)).toContain(
        "/v2/aggs/ticker/JNJ/range/1/day/2025-05-15/2025-05-15",
      );
      expect(String(rows[0]?.payload)).toContain("injected fault: HTTP 404");
      const audit = await query(
        "SELECT event_type FROM core_audit_log WHERE capture_id = ? ORDER BY seq",
        [result.capture_id],
      );
      expect(audit.map((a) => a.event_type)).toContain("dead_lettered");

      // The same failure again refreshes the same dead letter.
      const again = await run("2025-05-15|demo");
      expect(again.dead_letter_id).toBe(result.dead_letter_id);
      const count = await query(
        "SELECT count(*) AS n FROM core_dead_letters WHERE partition_key = '2025-05-15|demo'",
      );
      expect(count[0]?.n).toBe(1);
    } finally {
      feed.setFaults(NO_FAULTS);
    }
  });

  it("a transient failure is dead-lettered only when no retry follows", async () => {
    feed.setFaults({
      ...NO_FAULTS,
      errorRate: 1,
      statuses: [503],
      match: "/PG/range/1/day/2025-05-16",
    });
    try {
      const notFinal = await run("2025-05-16|demo", {}, { finalAttempt: false });
      expect(notFinal.status).toBe("failed");
      expect(notFinal.dead_letter_id).toBeUndefined();
      const final = await run("2025-05-16|demo");
      expect(final.dead_letter_id).toBeDefined();
      const rows = await query(
        "SELECT attempts, error_tag FROM core_dead_letters WHERE dead_letter_id = ?",
        [final.dead_letter_id ?? ""],
      );
      expect(rows[0]).toMatchObject({ attempts: 3, error_tag: "TransientSourceError" });
    } finally {
      feed.setFaults(NO_FAULTS);
    }
  });

  it("the CLI lists a dead letter and retries it on demand", async () => {
    const listed = await promisify(execFile)(
      process.execPath,
      [BIN, "dead-letters", "list", "--status", "open", "--json"],
      {
        env: { ...process.env, LIBSQL_URL: db.url, MARKET_DATA_BASE_URL: "" },
      },
    );
    const open = JSON.parse(listed.stdout) as Array<{
      dead_letter_id: string;
      partition_key: string;
    }>;
    const target = open.find((d) => d.partition_key === "2025-05-15|demo");
    expect(target).toBeDefined();
    const env: NodeJS.ProcessEnv = { ...process.env, LIBSQL_URL: db.url };
    delete env.MARKET_DATA_BASE_URL; // the CLI then starts a healthy demo feed of its own
    const retried = await promisify(execFile)(
      process.execPath,
      [BIN, "dead-letters", "retry", target?.dead_letter_id ?? "", "--json"],
      { env },
    );
    const out = JSON.parse(retried.stdout) as {
      dead_letter: { status: string; retry_execution_id: string };
      run: { status: string; execution_id: string };
    };
    expect(out.run.status).toBe("complete");
    expect(out.dead_letter).toMatchObject({
      status: "retried",
      retry_execution_id: out.run.execution_id,
    });
    const rows = await query(
      "SELECT count(*) AS n FROM market_prices WHERE trading_date = '2025-05-15'",
    );
    expect(rows[0]?.n).toBe(20);
  });
});
