/**
 * The alert outbox and dispatcher against a real libSQL file: exactly-once delivery through
 * retries with backoff, severity routing per sink, dedup by anomaly id and re-opening, the
 * per-pass circuit breaker, giving up, concurrent dispatchers, and the webhook sink over
 * real HTTP (the demo feed's receiver). Time is passed to each pass, never slept.
 */

import { it as effectIt } from "@effect/vitest";
import { Effect, Fiber, Layer, Logger, LogLevel, Redacted, TestClock } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DispatchOptions, deliverWithin, deliveryPass } from "../../src/alerts/dispatch";
import { type AlertPayload, type AlertSink, AlertSinkError } from "../../src/alerts/sink";
import { webhookSink } from "../../src/alerts/webhook-sink";
import { HttpFetch } from "../../src/core/http/http-fetch";
import {
  type AnomalyInput,
  type AnomalySeverity,
  recordAnomalies,
  resolveAnomalies,
} from "../../src/core/store/anomalies";
import { startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { testContext } from "../fixtures/sources";
import { libsqlStores } from "../fixtures/stores";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const OPTIONS: DispatchOptions = {
  retry: { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 },
  batchSize: 50,
};
const ctx = testContext("trade_data", "2025-01-02|ALERTS");

let db: TempDb;
beforeEach(async () => {
  db = await makeTempDb();
});
afterEach(async () => {
  await db.cleanup();
});

const layer = () =>
  Layer.mergeAll(libsqlStores(db.url), HttpFetch.layer, Logger.minimumLogLevel(LogLevel.None));
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Layer.Success<ReturnType<typeof layer>>>) =>
  Effect.runPromise(effect.pipe(Effect.provide(layer())));

const anomaly = (key: string, severity: AnomalySeverity): AnomalyInput => ({
  rule: "REFERENTIAL_INTEGRITY",
  severity,
  key,
  message: `trades reference ${key}, which has no market data`,
});

/** A sink that fails its first `failures` deliveries, and remembers what it got. */
const scriptedSink = (name: string, minSeverity: AnomalySeverity, failures = 0) => {
  const calls: Array<AlertPayload> = [];
  const delivered: Array<AlertPayload> = [];
  const sink: AlertSink = {
    name,
    minSeverity,
    deliver: (alert) =>
      Effect.suspend(() => {
        calls.push(alert);
        if (calls.length <= failures) {
          return Effect.fail(new AlertSinkError({ sink: name, message: "HTTP 503: down" }));
        }
        delivered.push(alert);
        return Effect.void;
      }),
  };
  return { sink, calls, delivered };
};

const rows = (sink: string) =>
  query(
    db.url,
    "SELECT anomaly_id, status, attempts, episode, next_attempt_at, last_error, delivered_at FROM core_alert_deliveries WHERE sink = ? ORDER BY anomaly_id",
    [sink],
  );
const iso = (ms: number) => new Date(ms).toISOString();

describe("alert dispatch", () => {
  it("a sink that fails twice then succeeds delivers exactly once, backing off 1 s then 2 s", async () => {
    await run(recordAnomalies(ctx, [anomaly("AAPL|2025-01-02", "HIGH")]));
    const hook = scriptedSink("webhook", "MEDIUM", 2);
    const pass = (ms: number) => run(deliveryPass([hook.sink], OPTIONS, ms));

    expect(await pass(T0)).toMatchObject({ queued: 1, attempted: 1, retrying: 1 });
    expect(await rows("webhook")).toMatchObject([
      {
        status: "retrying",
        attempts: 1,
        next_attempt_at: iso(T0 + 1_000),
        last_error: "HTTP 503: down",
      },
    ]);
    expect(await pass(T0 + 999)).toMatchObject({ attempted: 0 });
    expect(await pass(T0 + 1_000)).toMatchObject({ attempted: 1, retrying: 1 });
    expect((await rows("webhook"))[0]).toMatchObject({ next_attempt_at: iso(T0 + 3_000) });
    expect(await pass(T0 + 3_000)).toMatchObject({
      attempted: 1,
      delivered: 1,
      next_attempt_at: null,
    });
    for (const later of [T0 + 10_000, T0 + 86_400_000]) {
      expect(await pass(later)).toMatchObject({ queued: 0, attempted: 0 });
    }
    expect(hook.calls).toHaveLength(3);
    expect(hook.delivered).toHaveLength(1);
    expect(hook.delivered[0]).toMatchObject({
      rule: "REFERENTIAL_INTEGRITY",
      severity: "HIGH",
      episode: 1,
      text:
        "[HIGH] REFERENTIAL_INTEGRITY at " +
        `${ctx.capturedAt.slice(0, 19).replace("T", " ")} UTC: trades reference AAPL|2025-01-02, which has no market data (partition 2025-01-02|ALERTS)`,
    });
    expect(await rows("webhook")).toMatchObject([
      {
        status: "delivered",
        attempts: 3,
        last_error: null,
        delivered_at: iso(T0 + 3_000),
        next_attempt_at: null,
      },
    ]);
  });

  it("routes each anomaly to the sinks whose minimum severity it meets", async () => {
    const levels: Array<AnomalySeverity> = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
    await run(
      recordAnomalies(
        ctx,
        levels.map((s) => anomaly(`K|${s}`, s)),
      ),
    );
    const all = scriptedSink("log", "LOW");
    const high = scriptedSink("webhook", "HIGH");
    const critical = scriptedSink("file:/tmp/critical.jsonl", "CRITICAL");
    await run(deliveryPass([all.sink, high.sink, critical.sink], OPTIONS, T0));
    const severities = (s: { delivered: Array<AlertPayload> }) =>
      s.delivered.map((a) => a.severity).sort();
    expect(severities(all)).toEqual(["CRITICAL", "HIGH", "LOW", "MEDIUM"]);
    expect(severities(high)).toEqual(["CRITICAL", "HIGH"]);
    expect(severities(critical)).toEqual(["CRITICAL"]);
    expect(await rows("webhook")).toHaveLength(2);
  });

  it("does not resend a re-detected open anomaly; a resolved one that re-opens is sent again", async () => {
    const hook = scriptedSink("webhook", "LOW");
    const pass = (ms: number) => run(deliveryPass([hook.sink], OPTIONS, ms));
    await run(recordAnomalies(ctx, [anomaly("MSFT|2025-01-02", "MEDIUM")]));
    await pass(T0);
    await run(recordAnomalies(ctx, [anomaly("MSFT|2025-01-02", "MEDIUM")]));
    expect(await pass(T0 + 60_000)).toMatchObject({ queued: 0, attempted: 0 });
    expect(hook.delivered).toHaveLength(1);

    await run(resolveAnomalies(ctx, "REFERENTIAL_INTEGRITY", ["MSFT|2025-01-02"]));
    expect(await pass(T0 + 120_000)).toMatchObject({ queued: 0, attempted: 0 });
    await run(recordAnomalies(ctx, [anomaly("MSFT|2025-01-02", "MEDIUM")]));
    expect(await pass(T0 + 180_000)).toMatchObject({ queued: 1, delivered: 1 });
    expect(hook.delivered.map((a) => [a.anomaly_id, a.episode])).toEqual([
      [hook.delivered[0]?.anomaly_id, 1],
      [hook.delivered[0]?.anomaly_id, 2],
    ]);
    expect(await rows("webhook")).toMatchObject([{ status: "delivered", episode: 2, attempts: 1 }]);
  });

  it("tries a failing sink once per pass and gives its other deliveries back untried", async () => {
    await run(
      recordAnomalies(
        ctx,
        ["A", "B", "C"].map((k) => anomaly(k, "HIGH")),
      ),
    );
    const down = scriptedSink("webhook", "LOW", 1_000);
    const report = await run(deliveryPass([down.sink], { ...OPTIONS, concurrency: 1 }, T0));
    expect(report).toMatchObject({ attempted: 1, retrying: 1, delivered: 0 });
    expect(down.calls).toHaveLength(1);
    const after = await rows("webhook");
    expect(after.map((r) => r.status).sort()).toEqual(["pending", "pending", "retrying"]);
    expect(after.map((r) => Number(r.attempts)).sort()).toEqual([0, 0, 1]);
    expect(new Set(after.map((r) => r.next_attempt_at))).toEqual(new Set([iso(T0 + 1_000)]));
  });

  it("gives up after the last attempt: the delivery is failed and never tried again", async () => {
    await run(recordAnomalies(ctx, [anomaly("X", "CRITICAL")]));
    const down = scriptedSink("webhook", "LOW", 1_000);
    const options = { ...OPTIONS, retry: { ...OPTIONS.retry, maxAttempts: 2 } };
    await run(deliveryPass([down.sink], options, T0));
    expect(await run(deliveryPass([down.sink], options, T0 + 1_000))).toMatchObject({ failed: 1 });
    expect(await run(deliveryPass([down.sink], options, T0 + 999_999))).toMatchObject({
      attempted: 0,
      next_attempt_at: null,
    });
    expect(down.calls).toHaveLength(2);
    expect(await rows("webhook")).toMatchObject([
      { status: "failed", attempts: 2, next_attempt_at: null },
    ]);
  });

  it("a sink that throws is a failed attempt, not a failed pass", async () => {
    await run(recordAnomalies(ctx, [anomaly("Y", "HIGH")]));
    const broken: AlertSink = {
      name: "webhook",
      minSeverity: "LOW",
      deliver: () => Effect.die(new Error("boom")),
    };
    expect(await run(deliveryPass([broken], OPTIONS, T0))).toMatchObject({ retrying: 1 });
    expect((await rows("webhook"))[0]?.last_error).toContain("boom");
  });

  it("two dispatchers at once never send the same delivery", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => `K${i}`);
    await run(
      recordAnomalies(
        ctx,
        keys.map((k) => anomaly(k, "HIGH")),
      ),
    );
    const seen: Array<string> = [];
    const slow: AlertSink = {
      name: "webhook",
      minSeverity: "LOW",
      deliver: (a) =>
        Effect.sleep("5 millis").pipe(Effect.tap(() => Effect.sync(() => seen.push(a.anomaly_id)))),
    };
    const options = { ...OPTIONS, batchSize: 7 };
    for (let i = 0; i < 3; i++) {
      await run(
        Effect.all([deliveryPass([slow], options, T0), deliveryPass([slow], options, T0)], {
          concurrency: 2,
        }),
      );
    }
    expect(seen).toHaveLength(20);
    expect(new Set(seen).size).toBe(20);
  });

  effectIt.effect("deliverWithin waits for retries that fall due inside its budget", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0);
      yield* recordAnomalies(ctx, [anomaly("Z", "HIGH")]);
      const hook = scriptedSink("webhook", "LOW", 2);
      const fiber = yield* Effect.fork(deliverWithin([hook.sink], OPTIONS, 5_000));
      yield* TestClock.adjust("1 second");
      yield* TestClock.adjust("2 seconds");
      const report = yield* Fiber.join(fiber);
      expect(report).toMatchObject({ attempted: 3, retrying: 2, delivered: 1 });
      expect(hook.delivered).toHaveLength(1);

      yield* recordAnomalies(ctx, [anomaly("Z2", "HIGH")]);
      const late = scriptedSink("webhook", "LOW", 1);
      const short = yield* deliverWithin([late.sink], OPTIONS, 500);
      expect(short).toMatchObject({ attempted: 1, retrying: 1 });
      expect(late.calls).toHaveLength(1);
    }).pipe(Effect.provide(Layer.suspend(layer))),
  );
});

describe("webhook sink", () => {
  it("POSTs the anomaly with a Slack-compatible text; failures name the status, never the URL", async () => {
    const feed = await startDemoFeed({ port: 0 });
    try {
      await run(recordAnomalies(ctx, [anomaly("AAPL|2025-01-02", "HIGH")]));
      const url = `${feed.url}/alerts?token=SECRET123`;
      const sink = await run(
        webhookSink({ url: Redacted.make(url), minSeverity: "LOW", timeoutMs: 5_000 }),
      );
      await fetch(`${feed.url}/__alerts`, { method: "POST", body: '{"fail_next":1}' });
      expect(await run(deliveryPass([sink], OPTIONS, T0))).toMatchObject({ retrying: 1 });
      const [failed] = await rows("webhook");
      expect(failed?.last_error).toMatch(/^HTTP 503: /);
      expect(await run(deliveryPass([sink], OPTIONS, T0 + 1_000))).toMatchObject({ delivered: 1 });
      const got = (await (await fetch(`${feed.url}/alerts-received`)).json()) as {
        received: number;
        failed: number;
        alerts: Array<{ text: string; idempotency_key: string; body: Record<string, unknown> }>;
      };
      expect(got).toMatchObject({ received: 1, failed: 1 });
      expect(got.alerts[0]?.text).toMatch(
        /^\[HIGH\] REFERENTIAL_INTEGRITY at .* UTC: trades reference AAPL/,
      );
      expect(got.alerts[0]?.body).toMatchObject({
        anomaly_id: failed?.anomaly_id,
        rule: "REFERENTIAL_INTEGRITY",
        severity: "HIGH",
        partition_key: "2025-01-02|ALERTS",
        episode: 1,
      });
      expect(got.alerts[0]?.idempotency_key).toBe(`${failed?.anomaly_id}.1`);
    } finally {
      await feed.close();
    }
    await run(recordAnomalies(ctx, [anomaly("MSFT|2025-01-02", "HIGH")]));
    const gone = await run(
      webhookSink({
        url: Redacted.make(`${feed.url}/alerts?token=SECRET123`),
        minSeverity: "LOW",
        timeoutMs: 2_000,
      }),
    );
    await run(deliveryPass([gone], OPTIONS, T0 + 5_000));
    const errors = (await rows("webhook")).map((r) => String(r.last_error));
    expect(errors.some((e) => e.startsWith("request failed"))).toBe(true);
    expect(errors.join(" ")).not.toContain("SECRET123");
  });
});
