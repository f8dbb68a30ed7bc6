/**
 * End to end: the real libSQL endpoint, the demo feed and `wrangler dev` on free ports,
 * driven over real HTTP.
 * Every process started here is stopped after the file (`fixtures/local-stack.ts`).
 */
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { latestClosedTradingDay } from "../../src/calendar/sessions";
import { useLocalStack } from "../fixtures/local-stack";

const TOKEN = "e2e-token";
const stack = useLocalStack({ apiToken: TOKEN });
const PIPELINE = "market_data.ingest_prices";

const countRows = async (date: string) => {
  const client = createClient({ url: stack.libsqlUrl });
  try {
    const rs = await client.execute({
      sql: "SELECT count(*) AS n FROM market_prices WHERE trading_date = ?",
      args: [date],
    });
    return Number(rs.rows[0]?.n);
  } finally {
    client.close();
  }
};

/** Reads need a token too: the write token also reads. */
const read = (path: string) =>
  fetch(`${stack.workerUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

const postRun = (partition: string) =>
  fetch(`${stack.workerUrl}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ pipeline: PIPELINE, partition }),
  });

describe("local stack (wrangler dev + libSQL endpoint + demo feed)", () => {
  it("runs a partition over HTTP, idempotently", async () => {
    expect((await fetch(`${stack.workerUrl}/health`)).status).toBe(200);
    const first = await postRun("2025-01-02|demo");
    expect(first.status).toBe(200);
    const result = (await first.json()) as {
      status: string;
      capture_id: string;
      counts: Record<string, number>;
    };
    expect(result).toMatchObject({
      status: "complete",
      counts: { received: 20, valid: 20, quarantined: 0, written: 20 },
    });
    expect(await countRows("2025-01-02")).toBe(20);

    const statusPath = `/partitions/${PIPELINE}/${encodeURIComponent("2025-01-02|demo")}`;
    expect((await fetch(`${stack.workerUrl}${statusPath}`)).status).toBe(401);
    const status = await read(statusPath);
    expect(await status.json()).toMatchObject({
      status: "complete",
      capture_id: result.capture_id,
      row_count: 20,
    });

    const second = await postRun("2025-01-02|demo");
    expect(((await second.json()) as { status: string }).status).toBe("complete");
    expect(await countRows("2025-01-02")).toBe(20);

    const unauthorized = await fetch(`${stack.workerUrl}/runs`, { method: "POST", body: "{}" });
    expect(unauthorized.status).toBe(401);
  });

  it("the cron trigger ingests the current partition", async () => {
    const res = await fetch(
      `${stack.workerUrl}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`,
    );
    expect(res.status).toBe(200);
    const partition = `${latestClosedTradingDay(Date.now())}|demo`;
    const path = `/partitions/${PIPELINE}/${encodeURIComponent(partition)}`;
    let state: { status?: string; history?: Array<{ trigger: string }> } = {};
    for (let i = 0; i < 120 && state.status !== "complete"; i++) {
      const r = await read(path);
      if (r.status === 200) state = (await r.json()) as typeof state;
      else await new Promise((done) => setTimeout(done, 250));
    }
    expect(state.status).toBe("complete");
    expect(state.history?.[0]?.trigger).toBe("cron");
    const list = (await (await read(`/partitions?pipeline=${PIPELINE}`)).json()) as {
      partitions: Array<{ partition_key: string }>;
    };
    expect(list.partitions.map((p) => p.partition_key)).toContain(partition);
  });

  it("an anomaly's alert arrives at the demo feed's receiver through the Worker's webhook", async () => {
    // Trades on a day without market data: REFERENTIAL_INTEGRITY anomalies (HIGH).
    const run = await fetch(`${stack.workerUrl}/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        pipeline: "trade_data.ingest_trades",
        partition: "2025-01-03|CLIENT_A",
      }),
    });
    expect(run.status).toBe(200);
    type Received = { alerts: Array<{ text: string; anomaly_id: string }> };
    let mine: Received["alerts"] = [];
    for (let i = 0; i < 120 && mine.length === 0; i++) {
      await new Promise((done) => setTimeout(done, 250));
      const got = (await (
        await fetch(`${stack.marketDataBaseUrl}/alerts-received`)
      ).json()) as Received;
      mine = got.alerts.filter((a) => a.text.includes("(partition 2025-01-03|CLIENT_A)"));
    }
    expect(mine[0]?.text).toMatch(
      /^\[HIGH\] REFERENTIAL_INTEGRITY at .* UTC: \d+ trade\(s\) reference [A-Z.]+ on 2025-01-03, /,
    );
    // The receiver answers before the dispatcher records the delivery: poll its record.
    type State = { alerts: Array<{ sink: string; status: string; attempts: number }> };
    let state: State = { alerts: [] };
    for (let i = 0; i < 120; i++) {
      state = (await (await read(`/alerts?anomaly=${mine[0]?.anomaly_id}`)).json()) as State;
      if (state.alerts.length >= 2 && state.alerts.every((a) => a.status === "delivered")) break;
      await new Promise((done) => setTimeout(done, 250));
    }
    expect(state.alerts.map((a) => [a.sink, a.status, a.attempts]).sort()).toEqual([
      ["log", "delivered", 1],
      ["webhook", "delivered", 1],
    ]);
  });

  it("reads answer while partition runs write, and the Worker still answers after", async () => {
    // 80 reads and 5 runs at once: more queries in flight than one libSQL client allows (20).
    // A client shared by the isolate's requests (and its actors) made the queued requests
    // hang (500) and then wedged every query (docs/reliability.md).
    const auth = { authorization: `Bearer ${TOKEN}` };
    const settled = { done: false };
    // wrangler's dev proxy parks a GET whose forwarding failed until the next request comes
    // in; steady traffic, as a user's would, lets it through.
    const nudger = (async () => {
      while (!settled.done) {
        await fetch(`${stack.workerUrl}/health`).then(
          (r) => r.arrayBuffer(),
          () => undefined,
        );
        await new Promise((done) => setTimeout(done, 1_000));
      }
    })();
    const within = { signal: AbortSignal.timeout(40_000) };
    const read = async (path: string) => {
      try {
        const res = await fetch(`${stack.workerUrl}${path}`, { headers: auth, ...within });
        return { status: res.status, body: await res.text() };
      } catch (error) {
        return { status: 0, body: String(error) };
      }
    };
    const days = ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"];
    const runs = days.map((day) =>
      fetch(`${stack.workerUrl}/runs`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ pipeline: PIPELINE, partition: `${day}|demo` }),
        ...within,
      }).then(
        (r) => r.status,
        () => 0,
      ),
    );
    const reads = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        read(i % 2 === 0 ? "/health" : `/partitions?pipeline=${PIPELINE}`),
      ),
    );
    const runStatuses = await Promise.all(runs);
    settled.done = true;
    await nudger;
    expect(reads.filter((r) => r.status !== 200)).toEqual([]);
    // A run the dev proxy failed to forward answers 503 ("restarted mid-request"); none 500.
    expect(runStatuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    for (const day of days) expect((await postRun(`${day}|demo`)).status).toBe(200);
    expect((await read("/health")).status).toBe(200);
  });
});
