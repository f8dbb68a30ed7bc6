/**
 * Retries that survive restarts (actor alarms) and dead letters, inside workerd, against the
 * real demo feed with fault injection switched on over HTTP.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { afterEach, describe, expect, it } from "vitest";
import { partitionActor } from "../../src/worker/actors";
import { get, post } from "./api";

const PIPELINE = "market_data.ingest_prices";

const setFaults = async (faults: Record<string, unknown>) => {
  const res = await fetch(`${env.MARKET_DATA_BASE_URL}/__faults`, {
    method: "POST",
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
};

/** Waits into the next wall-clock second: capture ids are stamped to the second. */
const nextSecond = () => new Promise((done) => setTimeout(done, 1_001 - (Date.now() % 1_000)));

const postRun = (partition: string) => post("/runs", { pipeline: PIPELINE, partition });

afterEach(() => setFaults({ error_rate: 0, truncate_rate: 0 }));

describe("retries across invocations", () => {
  it("a transient failure becomes `retrying`, and the alarm completes it once the source heals", async () => {
    const partition = "2025-05-20|demo";
    await setFaults({ error_rate: 1, statuses: [503], match: "/2025-05-20/" });
    const res = await postRun(partition);
    expect(res.status).toBe(202);
    const body = (await res.json()) as {
      status: string;
      error: { tag: string; retryable: boolean };
    };
    expect(body).toMatchObject({
      status: "retrying",
      error: { tag: "TransientSourceError", retryable: true },
    });

    const stub = partitionActor(env, PIPELINE, partition);
    const retrying = await stub.status();
    expect(retrying).toMatchObject({ status: "retrying", attempts: 1, retry_count: 1 });
    expect(Date.parse(retrying?.next_retry_at ?? "")).toBeGreaterThan(Date.now());
    const listed = (await (await get(`/partitions?pipeline=${PIPELINE}`)).json()) as {
      partitions: Array<{ partition_key: string; status: string }>;
    };
    expect(listed.partitions.find((p) => p.partition_key === partition)?.status).toBe("retrying");

    // Still failing: the alarm retries, counts the attempt, and schedules the next one. (Each
    // attempt a second apart, so each has a capture id of its own.)
    await nextSecond();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await stub.status()).toMatchObject({ status: "retrying", attempts: 2, retry_count: 2 });

    await setFaults({ error_rate: 0 });
    await nextSecond();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const done = await stub.status();
    expect(done).toMatchObject({
      status: "complete",
      attempts: 3,
      next_retry_at: null,
      row_count: 20,
    });
    expect(done?.history.map((h) => h.trigger)).toEqual(["alarm", "alarm", "http"]);
    expect(await runDurableObjectAlarm(stub)).toBe(false);

    // In the manifest both failed captures say so, each naming the retry that followed it.
    const client = createClient({ url: env.LIBSQL_URL });
    try {
      const captures = await client.execute({
        sql: `SELECT capture_id, status, json_extract(metadata, '$.retried_by') AS retried_by
              FROM core_manifest WHERE partition_key = ? ORDER BY captured_at, capture_id`,
        args: [partition],
      });
      const rows = captures.rows.map((r) => ({ ...r }));
      expect(rows).toHaveLength(3);
      expect(rows.at(-1)).toMatchObject({ status: "complete", retried_by: null });
      expect(rows.slice(0, -1)).toEqual(
        rows.slice(1).map((next, k) => ({
          capture_id: rows[k]?.capture_id,
          status: "failed",
          retried_by: next.capture_id,
        })),
      );
    } finally {
      client.close();
    }
  });

  it("with 30% transient faults every partition completes through its actor, without duplicates", async () => {
    await setFaults({
      error_rate: 0.25,
      truncate_rate: 0.05,
      statuses: [503, 429, 500],
      seed: 11,
      match: "/2025-05-2",
    });
    const partitions = ["2025-05-21|demo", "2025-05-22|demo", "2025-05-23|demo", "2025-05-27|demo"];
    for (const partition of partitions) {
      await postRun(partition);
      const stub = partitionActor(env, PIPELINE, partition);
      for (let i = 0; i < 10 && (await stub.status())?.status === "retrying"; i++) {
        await runDurableObjectAlarm(stub);
      }
      expect((await stub.status())?.status).toBe("complete");
    }
    const stats = (await (await fetch(`${env.MARKET_DATA_BASE_URL}/__faults`)).json()) as {
      stats: { requests: number; injected: number };
    };
    expect(stats.stats.injected).toBeGreaterThan(0);
    const client = createClient({ url: env.LIBSQL_URL });
    const rows = await client.execute(
      "SELECT count(*) AS n, count(DISTINCT symbol || trading_date) AS d FROM market_prices WHERE trading_date IN ('2025-05-21','2025-05-22','2025-05-23','2025-05-27')",
    );
    client.close();
    expect(rows.rows[0]).toMatchObject({ n: 80, d: 80 });
  });
});

describe("dead letters", () => {
  it("a permanent 4xx fails at once with a dead letter and no alarm; it can be retried over HTTP", async () => {
    const partition = "2025-05-28|demo";
    await setFaults({ error_rate: 1, statuses: [404], match: "/KO/range/1/day/2025-05-28" });
    const res = await postRun(partition);
    expect(res.status).toBe(502);
    const result = (await res.json()) as {
      status: string;
      dead_letter_id: string;
      attempts: number;
    };
    expect(result).toMatchObject({ status: "failed", attempts: 1 });
    expect(result.dead_letter_id).toMatch(/^dl_/);
    expect(await runDurableObjectAlarm(partitionActor(env, PIPELINE, partition))).toBe(false);

    const shown = await get(`/dead-letters/${result.dead_letter_id}`);
    expect(await shown.json()).toMatchObject({
      status: "open",
      partition_key: partition,
      error_tag: "PermanentSourceError",
      attempts: 1,
    });
    const unauthorized = await post(`/dead-letters/${result.dead_letter_id}/retry`, "", null);
    expect(unauthorized.status).toBe(401);

    await setFaults({ error_rate: 0 });
    const retried = await post(`/dead-letters/${result.dead_letter_id}/retry`, "");
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({
      dead_letter: { status: "retried" },
      run: { status: "complete", counts: { written: 20 } },
    });
    const missing = await get("/dead-letters/dl_nope");
    expect(missing.status).toBe(404);
  });

  it("a transient failure that outlives every alarm retry is dead-lettered", async () => {
    const partition = "2025-05-29|demo";
    await setFaults({ error_rate: 1, statuses: [500], match: "/WMT/range/1/day/2025-05-29" });
    await postRun(partition);
    const stub = partitionActor(env, PIPELINE, partition);
    let status = await stub.status();
    for (let i = 0; i < 10 && status?.status === "retrying"; i++) {
      await runDurableObjectAlarm(stub);
      status = await stub.status();
    }
    expect(status).toMatchObject({ status: "failed", retry_count: 5, next_retry_at: null });
    const open = (await (await get("/dead-letters?status=open")).json()) as {
      dead_letters: Array<{ partition_key: string; error_tag: string; attempts: number }>;
    };
    expect(open.dead_letters.find((d) => d.partition_key === partition)).toMatchObject({
      error_tag: "TransientSourceError",
      attempts: 3,
    });
  });
});
