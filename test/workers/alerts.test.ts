/**
 * Alerts in workerd: a trades run writes REFERENTIAL_INTEGRITY anomalies, the partition
 * actor pokes the `AlertDispatcher`, and its alarm delivers them to the webhook (the demo
 * feed's receiver). The receiver fails one alert twice; the dispatcher's alarms, fired with
 * `runDurableObjectAlarm` (never by sleeping), deliver it exactly once. `GET /alerts` shows
 * each state. Partition 2023-10-17|ALERTS_W: no other test touches 2023.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { demoExecutions } from "../../src/dev/demo-feed/executions";
import { alertDispatcher } from "../../src/worker/actors";
import { get, post } from "./api";

const DATE = "2023-10-17";
const PARTITION = `${DATE}|ALERTS_W`;
const SYMBOL = demoExecutions(DATE, "ALERTS_W")[0]?.symbol ?? "";
const MATCH = `reference ${SYMBOL} on ${DATE},`;

interface AlertJson {
  anomaly_id: string;
  sink: string;
  status: string;
  episode: number;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  delivered_at: string | null;
  updated_at: string;
  rule: string | null;
  severity: string | null;
  partition_key: string | null;
  text: string | null;
}

const feed = (path: string, init?: RequestInit) =>
  fetch(`${env.MARKET_DATA_BASE_URL}${path}`, init);

const runTrades = async () => {
  const res = await post("/runs", { pipeline: "trade_data.ingest_trades", partition: PARTITION });
  expect(res.status).toBe(200);
  return (await res.json()) as { status: string };
};

const alertsOf = async (query: string) => {
  const res = await get(`/alerts?${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { alerts: Array<AlertJson>; counts: Record<string, number> };
};

const receivedFor = async (anomalyId: string) => {
  const got = (await (await feed("/alerts-received")).json()) as {
    alerts: Array<{ anomaly_id: string; text: string }>;
  };
  return got.alerts.filter((a) => a.anomaly_id === anomalyId);
};

let anomalyId = "";

beforeAll(async () => {
  expect(SYMBOL).not.toBe("");
  const res = await feed("/__alerts", {
    method: "POST",
    body: JSON.stringify({ fail_next: 2, match: MATCH }),
  });
  expect(res.status).toBe(200);
});

describe("alert delivery through the AlertDispatcher", () => {
  it("a run with a failing webhook still completes; its alert is in the outbox", async () => {
    expect((await runTrades()).status).toBe("complete");
    const res = await get(
      `/anomalies?partition=${encodeURIComponent(PARTITION)}&rule=REFERENTIAL_INTEGRITY`,
    );
    const { anomalies } = (await res.json()) as {
      anomalies: Array<{ anomaly_id: string; message: string; severity: string }>;
    };
    const target = anomalies.find((a) => a.message.includes(MATCH));
    expect(target?.severity).toBe("HIGH");
    anomalyId = target?.anomaly_id ?? "";
    // The run poked the dispatcher; its alarm's pass queues the alert (and tries it).
    let { alerts } = await alertsOf(`anomaly=${anomalyId}`);
    for (let i = 0; i < 5 && alerts.length === 0; i++) {
      await runDurableObjectAlarm(alertDispatcher(env));
      ({ alerts } = await alertsOf(`anomaly=${anomalyId}`));
    }
    expect(alerts).toMatchObject([
      {
        sink: "webhook",
        rule: "REFERENTIAL_INTEGRITY",
        severity: "HIGH",
        partition_key: PARTITION,
      },
    ]);
    expect(alerts[0]?.text).toMatch(/^\[HIGH\] REFERENTIAL_INTEGRITY at .* UTC: /);
  });

  it("fails twice, then the alarm's retry delivers it exactly once", async () => {
    const stub = alertDispatcher(env);
    const seen: Array<AlertJson> = [];
    for (let i = 0; i < 40; i++) {
      await runDurableObjectAlarm(stub);
      const [now] = (await alertsOf(`anomaly=${anomalyId}`)).alerts;
      if (now) seen.push(now);
      if (now?.status === "delivered") break;
    }
    // Exponential backoff from the default 30 s: a retry after n failures waits 30 s × 2^(n-1).
    const retrying = seen.filter((a) => a.status === "retrying");
    expect(retrying.map((a) => a.attempts)).toContain(2);
    for (const a of retrying) {
      expect(a.last_error).toMatch(/^HTTP 503: /);
      const wait = Date.parse(a.next_attempt_at ?? "") - Date.parse(a.updated_at);
      expect(wait).toBe(30_000 * 2 ** (a.attempts - 1));
    }
    const final = seen.at(-1);
    expect(final).toMatchObject({
      status: "delivered",
      attempts: 3,
      last_error: null,
      next_attempt_at: null,
      episode: 1,
    });
    expect(final?.delivered_at).not.toBeNull();
    expect(await receivedFor(anomalyId)).toHaveLength(1);

    // More alarms, and the same run again (the anomaly is found again, still open): no resend.
    await runDurableObjectAlarm(stub);
    expect((await runTrades()).status).toBe("complete");
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(stub);
    expect(await receivedFor(anomalyId)).toHaveLength(1);
    expect((await alertsOf(`anomaly=${anomalyId}`)).alerts).toMatchObject([
      { status: "delivered", attempts: 3 },
    ]);
  });

  it("GET /alerts filters by status and counts every status; bad filters are 400", async () => {
    const delivered = await alertsOf("status=delivered&limit=1000");
    expect(delivered.alerts.every((a) => a.status === "delivered")).toBe(true);
    expect(delivered.alerts.map((a) => a.anomaly_id)).toContain(anomalyId);
    expect(delivered.counts.delivered).toBeGreaterThanOrEqual(1);
    expect((await alertsOf("status=delivered&limit=1")).alerts).toHaveLength(1);
    expect((await alertsOf("status=failed")).alerts.every((a) => a.status === "failed")).toBe(true);
    for (const bad of ["status=lost", "limit=0", "limit=x"]) {
      const res = await get(`/alerts?${bad}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "InvalidRequest" });
    }
  });
});
