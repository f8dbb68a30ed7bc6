/**
 * Anomalies in workerd: runs through the partition actors over a demo feed with injected
 * anomalies, `GET /anomalies` with its filters, `POST /anomalies/:id/resolve`, and the Cron
 * Trigger's MissingData check. Partitions: 2025-06 only.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/worker/index";
import { api, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";
const SESSIONS = [
  "2025-06-02",
  "2025-06-03",
  "2025-06-04",
  "2025-06-05",
  "2025-06-06",
  "2025-06-09",
  "2025-06-10",
  "2025-06-11",
  "2025-06-12",
  "2025-06-13",
  "2025-06-16",
  "2025-06-17",
];

interface AnomalyJson {
  anomaly_id: string;
  rule: string;
  severity: string;
  pipeline: string;
  partition_key: string;
  capture_id: string;
  message: string;
  context: Record<string, unknown>;
  resolved_at: string | null;
}

const feed = (path: string, body: unknown) =>
  fetch(`${env.MARKET_DATA_BASE_URL}${path}`, { method: "POST", body: JSON.stringify(body) });

const anomalies = async (query: string) => {
  const res = await api(`/anomalies?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { anomalies: Array<AnomalyJson>; summary: string };
};

beforeAll(async () => {
  const set = await feed("/__anomalies", {
    anomalies: [
      { kind: "volume_spike", symbol: "AAPL", date: "2025-06-17", factor: 30 },
      { kind: "missing_bar", symbol: "NVDA", date: "2025-06-12" },
    ],
  });
  expect(set.status).toBe(200);
  for (const date of SESSIONS) {
    const res = await api("/runs", {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ pipeline: PIPELINE, partition: `${date}|demo` }),
    });
    expect(res.status).toBe(200);
  }
}, 120_000);

afterAll(async () => {
  await feed("/__anomalies", { anomalies: [] });
});

describe("GET /anomalies", () => {
  it("shows the injected anomalies with rule, severity, partition, capture and context", async () => {
    const { anomalies: found, summary } = await anomalies(
      `pipeline=${PIPELINE}&unresolved=true&limit=1000`,
    );
    const june = found.filter((a) => a.partition_key.startsWith("2025-06-"));
    const spike = june.find(
      (a) =>
        a.rule === "VOLUME_SHIFT" &&
        a.partition_key === "2025-06-17|demo" &&
        a.context.series === "AAPL",
    );
    expect(spike).toMatchObject({
      pipeline: PIPELINE,
      context: expect.objectContaining({ series: "AAPL", method: "robust" }),
      resolved_at: null,
    });
    expect(spike?.message).toMatch(/^Volume anomaly: AAPL /);
    expect(spike?.capture_id).toMatch(/^market_data\.INGEST\.2025-06-17\|demo\./);
    expect(june).toContainEqual(
      expect.objectContaining({
        rule: "MISSING_DATA",
        partition_key: "2025-06-12|demo",
        message: expect.stringContaining("NVDA on 2025-06-12"),
      }),
    );
    expect(june).toContainEqual(
      expect.objectContaining({
        rule: "TIME_GAP",
        partition_key: "2025-06-13|demo",
        context: expect.objectContaining({ series: "NVDA", missed_sessions: 1 }),
      }),
    );
    expect(summary).toMatch(/VOLUME_SHIFT at 2025-06-17 04:00:00 UTC: Volume anomaly: AAPL/);
  });

  it("filters by severity (a minimum), time and rule, and refuses bad filters", async () => {
    const high = await anomalies("severity=HIGH&limit=1000");
    expect(high.anomalies.every((a) => a.severity === "HIGH" || a.severity === "CRITICAL")).toBe(
      true,
    );
    expect((await anomalies("since=2999-01-01")).anomalies).toEqual([]);
    const gaps = await anomalies("rule=TIME_GAP&partition=2025-06-13%7Cdemo");
    expect(gaps.anomalies.map((a) => a.rule)).toEqual(["TIME_GAP"]);
    const bads = ["severity=BOGUS", "since=yesterday", "unresolved=maybe", "limit=0"];
    // Strict dates: a five-digit year and a day February does not have.
    bads.push("since=99999-01-01", "since=2025-02-30", "since=2025-01-01T24:00Z", "limit=1e2");
    for (const bad of bads) {
      const res = await api(`/anomalies?${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "InvalidRequest" });
    }
  });
});

describe("GET /detectors", () => {
  it("lists the DETECTORS registry with default thresholds", async () => {
    const res = await api("/detectors");
    expect(res.status).toBe(200);
    const { detectors } = (await res.json()) as {
      detectors: Array<{ name: string; defaults: Record<string, unknown> }>;
    };
    expect(detectors.map((d) => d.name)).toEqual([
      "MISSING_DATA",
      "TIME_GAP",
      "VOLUME_SHIFT",
      "LATENCY_BREACH",
      "SERIES_ANOMALY",
    ]);
    expect(detectors.find((d) => d.name === "LATENCY_BREACH")?.defaults).toEqual({ slaMinutes: 5 });
    expect(detectors.find((d) => d.name === "SERIES_ANOMALY")?.defaults).toMatchObject({
      warmup: 150,
      threshold: 0.505,
    });
  });
});

describe("POST /anomalies/:id/resolve", () => {
  it("needs the bearer token, resolves once, and 404s an unknown id", async () => {
    const [gap] = (await anomalies("rule=TIME_GAP&partition=2025-06-13%7Cdemo&unresolved=true"))
      .anomalies;
    expect(gap).toBeDefined();
    const path = `/anomalies/${gap?.anomaly_id}/resolve`;
    expect((await api(path, { method: "POST" }, null)).status).toBe(401);
    const res = await api(path, {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const resolved = (await res.json()) as AnomalyJson;
    expect(resolved.resolved_at).toEqual(expect.any(String));
    expect(
      (await anomalies("rule=TIME_GAP&partition=2025-06-13%7Cdemo&unresolved=true")).anomalies,
    ).toEqual([]);
    const missing = await api("/anomalies/anom_missing/resolve", {
      method: "POST",
      headers: { authorization: `Bearer ${WRITE_TOKEN}` },
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "AnomalyNotFound" });
  });
});

describe("Cron Trigger MissingData", () => {
  it("reports sessions due and never ingested, but not weekends or Juneteenth", async () => {
    // Wednesday 25 June 2025, 19:00 New York: the tick ingests the 25th itself; the 18th,
    // 20th, 23rd and 24th were never ingested and their following delivery is also due.
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({
        scheduledTime: Date.parse("2025-06-25T23:00:00Z"),
        cron: "*/15 * * * *",
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const { anomalies: found } = await anomalies("rule=MISSING_DATA&unresolved=true&limit=1000");
    const partitions = found
      .filter((a) => a.partition_key === a.context.partition && a.partition_key >= "2025-06-14")
      .map((a) => a.partition_key)
      .sort();
    expect(partitions).toEqual([
      "2025-06-18|demo",
      "2025-06-20|demo",
      "2025-06-23|demo",
      "2025-06-24|demo",
    ]);
  });
});
