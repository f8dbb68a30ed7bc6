/**
 * Alerts on the in-process host (Deno's; here on Node over a real libSQL file): a trades run
 * through the host's partition actor writes REFERENTIAL_INTEGRITY anomalies and pokes the
 * host's alert dispatcher; the dispatcher's alarm (a `host_alarms` row, fired through the
 * host's own poller at the time it is due) delivers to the webhook (the demo feed's receiver),
 * which fails one alert twice: it is delivered exactly once, after backoff.
 */
import { LogLevel, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorRuntime } from "../../src/actors/partition-actor-core";
import { appConfigFromVars } from "../../src/core/config/app-config";
import { demoExecutions } from "../../src/dev/demo-feed/executions";
import { ALERTS_ALARM, ProcessHost } from "../../src/host/process-host";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const DATE = "2023-10-18";
const CLIENT = "ALERTS_H";
const SYMBOL = demoExecutions(DATE, CLIENT)[0]?.symbol ?? "";
const MATCH = `reference ${SYMBOL} on ${DATE},`;

let db: TempDb;
let feed: DemoFeedServer;
let runtime: ActorRuntime;
let host: ProcessHost;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
  runtime = ManagedRuntime.make(
    nodePipelineLayer({
      db: { url: db.url },
      vars: {
        MARKET_DATA_BASE_URL: feed.url,
        ALERT_WEBHOOK_URL: `${feed.url}/alerts`,
        ALERT_LOG_MIN_SEVERITY: "OFF",
      },
      logLevel: LogLevel.None,
    }),
  );
  host = await ProcessHost.make({
    runtime,
    policy: appConfigFromVars({}).alarm,
  });
});

afterAll(async () => {
  await host?.stop();
  await runtime?.dispose();
  await feed?.close();
  await db?.cleanup();
});

const delivery = async () => {
  const rows = await query(
    db.url,
    `SELECT d.status, d.attempts, d.next_attempt_at, d.updated_at, d.last_error
     FROM core_alert_deliveries d JOIN core_anomalies a ON a.anomaly_id = d.anomaly_id
     WHERE d.sink = 'webhook' AND a.message LIKE ?`,
    [`%${MATCH}%`],
  );
  return rows[0];
};

describe("alert delivery on the in-process host", () => {
  it("a webhook that fails twice gets the alert exactly once, through the host's alarm", async () => {
    expect(SYMBOL).not.toBe("");
    await fetch(`${feed.url}/__alerts`, {
      method: "POST",
      body: JSON.stringify({ fail_next: 2, match: MATCH }),
    });
    const run = await host.partition("trade_data.ingest_trades", `${DATE}|${CLIENT}`).run({
      pipeline: "trade_data.ingest_trades",
      partition: `${DATE}|${CLIENT}`,
      trigger: "cli",
    });
    expect(run.result.status).toBe("complete");
    // The run poked the dispatcher: its alarm is set for now.
    expect(await host.alarmAt(ALERTS_ALARM)).toBeLessThanOrEqual(Date.now());

    const seen: Array<string> = [];
    for (let i = 0; i < 10; i++) {
      const at = await host.alarmAt(ALERTS_ALARM);
      if (at === null) break;
      await host.poll(at);
      const d = await delivery();
      seen.push(`${d?.status}/${d?.attempts}`);
      if (d?.status === "retrying") {
        // The retry waits 30 s × 2^(attempts − 1) from the pass's time.
        const wait = Date.parse(String(d.next_attempt_at)) - Date.parse(String(d.updated_at));
        expect(wait).toBe(30_000 * 2 ** (Number(d.attempts) - 1));
        expect(String(d.last_error)).toMatch(/^HTTP 503: /);
      }
    }
    expect(seen).toEqual(["retrying/1", "retrying/2", "delivered/3"]);
    expect(await host.alarmAt(ALERTS_ALARM)).toBeNull();
    const got = (await (await fetch(`${feed.url}/alerts-received`)).json()) as {
      failed: number;
      alerts: Array<{ text: string }>;
    };
    expect(got.failed).toBe(2);
    expect(got.alerts.filter((a) => a.text.includes(MATCH))).toHaveLength(1);
  });
});
