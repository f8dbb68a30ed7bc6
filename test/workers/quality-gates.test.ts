/**
 * Quality gates, skipped stages and future partitions through the Worker and the partition
 * actors, against the real libSQL endpoint and the demo feed: `POST /runs` answers 422 with the
 * gate's figures and the actor does not retry; a gated calculation reads `skipped`; a future
 * partition is refused with 409; `GET /anomalies` takes the seed's severities and categories.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { addDays, dayOfWeek } from "../../src/calendar/dates";
import { newYorkDate } from "../../src/calendar/sessions";
import type { RunResult } from "../../src/core/model/run-result";
import { universeSymbols } from "../../src/domains/market_data/universes";
import { partitionActor } from "../../src/worker/actors";
import { get, post } from "./api";

const PRICES = "market_data.ingest_prices";

const postRun = (pipeline: string, partition: string) => post("/runs", { pipeline, partition });

const setFeedAnomalies = (anomalies: ReadonlyArray<object>) =>
  fetch(`${env.MARKET_DATA_BASE_URL}/__anomalies`, {
    method: "POST",
    body: JSON.stringify({ anomalies }),
  });

interface AnomalyView {
  readonly rule: string;
  readonly category: string;
  readonly severity: string;
  readonly context: Readonly<Record<string, unknown>>;
}
const anomalies = async (query: string) => {
  const res = await get(`/anomalies?${query}`);
  return { status: res.status, body: (await res.json()) as { anomalies: Array<AnomalyView> } };
};

describe("POST /runs and the quality gate", () => {
  it("a trading day with no bar at all: 422 with the gate's figures, failed, never retried", async () => {
    const date = "2024-03-12";
    const partition = `${date}|demo`;
    const symbols = universeSymbols("demo") ?? [];
    expect(
      (await setFeedAnomalies(symbols.map((symbol) => ({ kind: "missing_bar", symbol, date }))))
        .status,
    ).toBe(200);
    try {
      const res = await postRun(PRICES, partition);
      expect(res.status).toBe(422);
      const result = (await res.json()) as RunResult;
      expect(result).toMatchObject({
        status: "failed",
        counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        error: {
          tag: "QualityGateFailed",
          retryable: false,
          message: "quality gate: no records received where data was expected",
          gate: { received: 0, valid: 0, threshold: 0.05 },
        },
      });
    } finally {
      await setFeedAnomalies([]);
    }
    const stub = partitionActor(env, PRICES, partition);
    const status = await stub.status();
    expect(status).toMatchObject({ status: "failed", next_retry_at: null, retry_count: 0 });
    expect(await runDurableObjectAlarm(stub)).toBe(false);

    const ready = (await (
      await get("/readiness?domain=market_data&week_ending=2024-03-15")
    ).json()) as { readiness: Array<{ partition_key: string; is_ready: boolean }> };
    expect(ready.readiness.find((r) => r.partition_key === partition)?.is_ready).toBe(false);

    const gate = await anomalies(
      `partition=${encodeURIComponent(partition)}&category=QUALITY_GATE&severity=ERROR`,
    );
    expect(gate.body.anomalies).toEqual([
      expect.objectContaining({
        rule: "QUALITY_GATE",
        category: "QUALITY_GATE",
        severity: "HIGH",
        context: expect.objectContaining({ reason: "no_valid_records", received: 0 }),
      }),
    ]);
    // WARN is MEDIUM and up: the HIGH gate anomaly is in it; CRITICAL alone is not.
    const warn = await anomalies(`partition=${encodeURIComponent(partition)}&severity=warn`);
    expect(warn.body.anomalies.map((a) => a.rule)).toContain("QUALITY_GATE");
    const critical = await anomalies(
      `partition=${encodeURIComponent(partition)}&severity=CRITICAL&category=QUALITY_GATE`,
    );
    expect(critical.body.anomalies).toEqual([]);
    expect((await anomalies("severity=LOUD")).status).toBe(400);
    expect((await anomalies("category=NOISE")).status).toBe(400);

    // Fixed upstream: the next run completes and resolves the gate anomaly.
    const again = await postRun(PRICES, partition);
    expect(again.status).toBe(200);
    const after = await anomalies(
      `partition=${encodeURIComponent(partition)}&category=QUALITY_GATE&unresolved=true`,
    );
    expect(after.body.anomalies).toEqual([]);
  });

  it("a calculation its history gate skips answers 200 skipped; the actor keeps `skipped`", async () => {
    const partition = "2025-01-10|OTCE";
    for (const stage of ["ingest_week", "normalize_week", "aggregate_week"]) {
      const res = await postRun(`finra.otc_transparency.${stage}`, partition);
      expect([stage, res.status]).toEqual([stage, 200]);
    }
    const res = await postRun("finra.otc_transparency.compute_rolling", partition);
    expect(res.status).toBe(200);
    expect(((await res.json()) as RunResult).status).toBe("skipped");
    const stub = partitionActor(env, "finra.otc_transparency.compute_rolling", partition);
    expect(await stub.status()).toMatchObject({ status: "skipped", next_retry_at: null });
    expect(await runDurableObjectAlarm(stub)).toBe(false);
    const listed = (await (
      await get("/partitions?pipeline=finra.otc_transparency.compute_rolling")
    ).json()) as { partitions: Array<{ partition_key: string; status: string }> };
    expect(listed.partitions.find((p) => p.partition_key === partition)?.status).toBe("skipped");
  });
});

describe("dependencies not ready", () => {
  it("POST /runs of a calculation whose dependency never ran: 409 DependenciesNotReady, as at the route", async () => {
    const partition = "2025-01-03|NMS_TIER_2";
    const res = await postRun("finra.otc_transparency.aggregate_week", partition);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: string; message: string };
    expect(body).toEqual({
      error: "DependenciesNotReady",
      message: `finra.otc_transparency.aggregate_week needs finra.otc_transparency.normalize_week ready for ${partition} first`,
    });
    // The actor keeps the refusal as a final failed run, never a retry.
    const stub = partitionActor(env, "finra.otc_transparency.aggregate_week", partition);
    expect(await stub.status()).toMatchObject({
      status: "failed",
      next_retry_at: null,
      last_error: { tag: "DependenciesNotReady", retryable: false },
    });
  });
});

describe("future partitions", () => {
  const ahead = addDays(newYorkDate(Date.now()), 2);

  it("POST /runs refuses a date after today (New York) with 409 PartitionInFuture; nothing runs", async () => {
    for (const partition of [`${ahead}|demo`, "9999-12-31|demo"]) {
      const res = await postRun(PRICES, partition);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: string; message: string };
      expect(body.error).toBe("PartitionInFuture");
      expect(body.message).toContain("America/New_York");
      expect(await partitionActor(env, PRICES, partition).status()).toBeNull();
      const found = await anomalies(`partition=${encodeURIComponent(partition)}`);
      expect(found.body.anomalies).toEqual([]);
    }
  });

  it("POST /workflows/:name/runs refuses a future week ending with 409", async () => {
    let friday = ahead;
    while (dayOfWeek(friday) !== 4) friday = addDays(friday, 1);
    const res = await post("/workflows/finra.weekly_refresh/runs", {
      params: { week_ending: friday, tier: "OTCE" },
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: "PartitionInFuture" });
  });

  it("POST /backfills refuses a range that ends after today with 400, naming today", async () => {
    const today = newYorkDate(Date.now());
    const res = await post("/backfills", {
      pipeline: PRICES,
      start: addDays(today, -3),
      end: ahead,
      params: { universe: "demo" },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe("InvalidBackfillRange");
    expect(body.message).toContain(`end ${ahead} is after today (`);
    expect(body.message).toContain("America/New_York");
  });
});
