/**
 * Retries and fault injection against the real demo feed over HTTP and a libSQL file, and the
 * CLI's dead letters. (What a run records about a failure: `market-data-runs.test.ts` and
 * `run-anomalies.test.ts`, on the in-memory stores.)
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { tradingDaysBetween } from "../../src/calendar/nyse";
import { NO_FAULTS } from "../../src/dev/demo-feed/faults";
import { startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { DATASPINE_BIN } from "../fixtures/cli";
import { usePipelineDb } from "../fixtures/pipeline-db";

const PIPELINE = "market_data.ingest_prices";

const setup = usePipelineDb({ vars: { RETRY_BASE_DELAY_MS: "1" } });
const { query } = setup;
const run = (partition: string, vars: Record<string, string> = {}) =>
  setup.runOk(PIPELINE, partition, { vars });

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
    const set = await fetch(`${setup.demo.url}/__faults`, {
      method: "POST",
      body: JSON.stringify({ error_rate: 1, statuses: [503], match: "/AAPL/" }),
    });
    expect(await set.json()).toMatchObject({ error_rate: 1, statuses: [503], match: "/AAPL/" });
    const aapl = await fetch(
      `${setup.demo.url}/v2/aggs/ticker/AAPL/range/1/day/2025-01-02/2025-01-02`,
    );
    expect([aapl.status, aapl.headers.get("retry-after")]).toEqual([503, "0"]);
    const msft = await fetch(
      `${setup.demo.url}/v2/aggs/ticker/MSFT/range/1/day/2025-01-02/2025-01-02`,
    );
    expect(msft.status).toBe(200);
    const bad = await fetch(`${setup.demo.url}/__faults`, {
      method: "POST",
      body: '{"error_rate":2}',
    });
    expect(bad.status).toBe(400);
    setup.demo.setFaults(NO_FAULTS);
  });
});

describe("dead letters", () => {
  it("the CLI lists a dead letter and retries it on demand", async () => {
    setup.demo.setFaults({
      ...NO_FAULTS,
      errorRate: 1,
      statuses: [404],
      match: "/JNJ/range/1/day/2025-05-15",
    });
    try {
      expect((await run("2025-05-15|demo")).dead_letter_id).toMatch(/^dl_/);
    } finally {
      setup.demo.setFaults(NO_FAULTS);
    }
    const listed = await promisify(execFile)(
      process.execPath,
      [DATASPINE_BIN, "dead-letters", "list", "--status", "open", "--json"],
      {
        env: { ...process.env, LIBSQL_URL: setup.db.url, MARKET_DATA_BASE_URL: "" },
      },
    );
    const open = JSON.parse(listed.stdout) as Array<{
      dead_letter_id: string;
      partition_key: string;
    }>;
    const target = open.find((d) => d.partition_key === "2025-05-15|demo");
    expect(target).toBeDefined();
    const env: NodeJS.ProcessEnv = { ...process.env, LIBSQL_URL: setup.db.url };
    delete env.MARKET_DATA_BASE_URL; // the CLI then starts a healthy demo feed of its own
    const retried = await promisify(execFile)(
      process.execPath,
      [DATASPINE_BIN, "dead-letters", "retry", target?.dead_letter_id ?? "", "--json"],
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
