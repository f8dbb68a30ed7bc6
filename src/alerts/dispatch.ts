/**
 * Delivering alerts: a pass queues what the sinks should get (`enqueueDeliveries`), claims
 * the deliveries due, hands each to its sink and records the outcome (delivered, or retried
 * with exponential backoff until `maxAttempts`, then failed). Once a sink fails in a pass,
 * its other deliveries of that pass are given back untried, so an unreachable webhook costs
 * one timeout per pass, not one per alert. The Worker's `AlertDispatcher` runs one pass per
 * alarm; the CLI runs passes for a bounded time after its run. A pass never fails its
 * caller: sink failures are recorded, database failures logged.
 */
import * as Cause from "effect/Cause";
import * as Clock from "effect/Clock";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import type { AlertRetryPolicy } from "../core/config/app-config";
import { type Anomalies, anomaliesById } from "../core/store/anomalies";
import type { Db } from "../db/db";
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  claimDueDeliveries,
  enqueueDeliveries,
  nextDueAt,
  recordAttempt,
  releaseClaim,
} from "./outbox";
import { retryDelayMs } from "./retry-delay";
import { type AlertSink, alertPayload } from "./sink";

export interface DispatchOptions {
  readonly retry: AlertRetryPolicy;
  /** Deliveries claimed per pass. */
  readonly batchSize: number;
  /** Concurrent deliveries within a pass. Default 4. */
  readonly concurrency?: number;
  /** How long a claimed delivery is held before another pass may take it. Default 60 s. */
  readonly leaseMs?: number;
}

/** What a pass (or several) did. */
export interface DispatchReport {
  readonly queued: number;
  /** Deliveries handed to their sink (a claim given back untried is not counted). */
  readonly attempted: number;
  readonly delivered: number;
  /** Failed attempts that will be tried again. */
  readonly retrying: number;
  /** Failed attempts that were the last. */
  readonly failed: number;
  /** When the next delivery falls due; null when nothing waits. */
  readonly next_attempt_at: string | null;
  /** Why the pass stopped early (a database failure), if it did. */
  readonly error?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

const attempt = (
  sink: AlertSink | undefined,
  claimed: ClaimedDelivery,
  anomalies: Effect.Effect.Success<ReturnType<typeof anomaliesById>>,
) => {
  const anomaly = anomalies.get(claimed.anomalyId);
  if (!sink) return Effect.succeed({ ok: false as const, final: true, error: "no such sink" });
  if (!anomaly) {
    return Effect.succeed({ ok: false as const, final: true, error: "anomaly not found" });
  }
  return sink.deliver(alertPayload(anomaly, claimed.episode)).pipe(
    Effect.as({ ok: true as const }),
    // A sink that throws is a failed attempt like any other, never the caller's failure.
    Effect.catchAllCause((cause) =>
      Effect.succeed({
        ok: false as const,
        final: false,
        error: Cause.isFailType(cause) ? cause.error.message : Cause.pretty(cause),
      }),
    ),
  );
};

/**
 * One pass at `nowMs` (the Durable Object passes its alarm's time): queue, claim up to
 * `batchSize` due deliveries, deliver them, record each outcome.
 */
export const deliveryPass = (
  sinks: ReadonlyArray<AlertSink>,
  options: DispatchOptions,
  nowMs: number,
): Effect.Effect<DispatchReport, never, Db | Anomalies> =>
  Effect.gen(function* () {
    const now = iso(nowMs);
    const names = sinks.map((s) => s.name);
    const queued = yield* enqueueDeliveries(sinks, now);
    const claimed = yield* claimDueDeliveries(
      names,
      now,
      iso(nowMs + (options.leaseMs ?? 60_000)),
      options.batchSize,
    );
    const anomalies = yield* anomaliesById([...new Set(claimed.map((c) => c.anomalyId))]);
    const tally = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
    /** Sinks that failed in this pass, and when their next attempt falls due. */
    const broken = new Map<string, string>();
    yield* Effect.forEach(
      claimed,
      (c) =>
        Effect.gen(function* () {
          const brokenUntil = broken.get(c.sink);
          if (brokenUntil !== undefined) return yield* releaseClaim(c, brokenUntil, now);
          tally.attempted += 1;
          const result = yield* attempt(
            sinks.find((s) => s.name === c.sink),
            c,
            anomalies,
          );
          let outcome: AttemptOutcome;
          if (result.ok) {
            tally.delivered += 1;
            outcome = { _tag: "Delivered" };
          } else {
            const last = result.final || c.attempts >= options.retry.maxAttempts;
            tally[last ? "failed" : "retrying"] += 1;
            const retryAt = iso(nowMs + retryDelayMs(options.retry, c.attempts));
            if (!result.final && !broken.has(c.sink)) broken.set(c.sink, retryAt);
            outcome = { _tag: "Failed", error: result.error, retryAt: last ? null : retryAt };
            yield* Effect.logWarning(`alert delivery failed: ${result.error}`).pipe(
              Effect.annotateLogs({ sink: c.sink, anomaly_id: c.anomalyId, attempt: c.attempts }),
            );
          }
          yield* recordAttempt(c, outcome, now);
        }),
      { concurrency: options.concurrency ?? 4, discard: true },
    );
    const next = yield* nextDueAt(names);
    return { queued, ...tally, next_attempt_at: next };
  }).pipe(
    Effect.catchAll((error) =>
      Effect.logError("alert delivery pass failed; it is retried later", error).pipe(
        Effect.as({
          queued: 0,
          attempted: 0,
          delivered: 0,
          retrying: 0,
          failed: 0,
          next_attempt_at: null,
          error: error.message,
        }),
      ),
    ),
    Effect.withSpan("Alerts.deliveryPass"),
  );

const add = (a: DispatchReport, b: DispatchReport): DispatchReport => ({
  queued: a.queued + b.queued,
  attempted: a.attempted + b.attempted,
  delivered: a.delivered + b.delivered,
  retrying: a.retrying + b.retrying,
  failed: a.failed + b.failed,
  next_attempt_at: b.next_attempt_at,
  ...(b.error ? { error: b.error } : {}),
});

/**
 * Passes until nothing is due within `budgetMs` from now (the CLI after its run): a retry
 * that falls due inside the budget is waited for; later ones are left to the next run.
 */
export const deliverWithin = (
  sinks: ReadonlyArray<AlertSink>,
  options: DispatchOptions,
  budgetMs: number,
): Effect.Effect<DispatchReport, never, Db | Anomalies> =>
  Effect.gen(function* () {
    const deadline = (yield* Clock.currentTimeMillis) + budgetMs;
    let report = yield* deliveryPass(sinks, options, yield* Clock.currentTimeMillis);
    for (;;) {
      if (report.error !== undefined || report.next_attempt_at === null) return report;
      const now = yield* Clock.currentTimeMillis;
      const due = Date.parse(report.next_attempt_at);
      if (now >= deadline || due > deadline) return report;
      if (due > now) yield* Effect.sleep(Duration.millis(due - now));
      report = add(report, yield* deliveryPass(sinks, options, yield* Clock.currentTimeMillis));
    }
  });
