/**
 * `retryWithBackoff` (sources' request retries, the audit chain's contention retries) on the
 * test clock: the time of every attempt, beside effect's `Schedule` built the way these
 * retries were declared before (exponential, capped, jittered, bounded, `Retry-After`).
 */
import { describe, expect, it } from "@effect/vitest";
import { Clock, Duration, Effect, Either, Fiber, Schedule, TestClock } from "effect";
import { type Backoff, retryWithBackoff } from "../../src/core/ingest/retry";

interface Failure {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
}

/** An effect that records the clock at each run and fails with `failures[i]` on run i. */
const scripted = (failures: ReadonlyArray<Failure>) => {
  const times: Array<number> = [];
  const effect = Effect.flatMap(Clock.currentTimeMillis, (now) => {
    times.push(now);
    const failure = failures[times.length - 1];
    return failure === undefined ? Effect.succeed(times.length) : Effect.fail(failure);
  });
  return { times, effect };
};

/** Runs `retried` on the test clock until it ends; its result and the attempts' times. */
const onTestClock = <A, E>(retried: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(Effect.either(retried));
    yield* TestClock.adjust(Duration.hours(1));
    return yield* Fiber.join(fiber);
  });

/** The same policy as an effect `Schedule`, declared as the retries were before. */
const scheduleOf = (b: Backoff<Failure>) => {
  const backoff = Schedule.exponential(Duration.millis(b.baseDelayMs), b.factor).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(b.capMs))),
  );
  const bounded = (b.jitter ? Schedule.jittered(backoff) : backoff).pipe(
    Schedule.intersect(Schedule.recurs(Math.max(0, b.maxAttempts - 1))),
  );
  return Schedule.identity<Failure>().pipe(
    Schedule.zipLeft(bounded),
    Schedule.whileInput(b.while),
    Schedule.modifyDelay((error, delay) => {
      const atLeast = b.atLeastMs?.(error);
      return atLeast === undefined ? delay : Duration.max(delay, Duration.millis(atLeast));
    }),
  );
};

const policy: Backoff<Failure> = {
  baseDelayMs: 100,
  factor: 2,
  capMs: 700,
  maxAttempts: 6,
  jitter: false,
  while: (e) => e.retryable,
  atLeastMs: (e) => e.retryAfterMs,
};

const transient: Failure = { retryable: true };

const cases: ReadonlyArray<{
  name: string;
  failures: ReadonlyArray<Failure>;
  b?: Backoff<Failure>;
}> = [
  { name: "succeeds after two failures", failures: [transient, transient] },
  { name: "gives up after maxAttempts, delays capped", failures: Array(10).fill(transient) },
  { name: "stops at a failure `while` refuses", failures: [transient, { retryable: false }] },
  {
    name: "waits at least what the failure asks",
    failures: [
      transient,
      { retryable: true, retryAfterMs: 5_000 },
      { retryable: true, retryAfterMs: 10 },
    ],
  },
  { name: "one attempt only", failures: [transient], b: { ...policy, maxAttempts: 1 } },
  {
    name: "factor 1.5 from 2 ms",
    failures: Array(8).fill(transient),
    b: { ...policy, baseDelayMs: 2, factor: 1.5 },
  },
];

describe("retryWithBackoff", () => {
  for (const { name, failures, b = policy } of cases) {
    it.effect(`${name}: the same attempts, at the same times, as the Schedule`, () =>
      Effect.gen(function* () {
        const ours = scripted(failures);
        const ourResult = yield* onTestClock(retryWithBackoff(ours.effect, b));
        const reference = scripted(failures);
        const referenceResult = yield* onTestClock(Effect.retry(reference.effect, scheduleOf(b)));
        const fromStart = (times: ReadonlyArray<number>) => times.map((t) => t - (times[0] ?? 0));
        expect(fromStart(ours.times)).toEqual(fromStart(reference.times));
        expect(ourResult).toEqual(referenceResult);
      }),
    );
  }

  it.effect("exact delays: base · factor^n, capped", () =>
    Effect.gen(function* () {
      const run = scripted(Array(10).fill(transient));
      const result = yield* onTestClock(retryWithBackoff(run.effect, policy));
      expect(run.times).toEqual([0, 100, 300, 700, 1_400, 2_100]);
      expect(result).toEqual(Either.left(transient));
    }),
  );

  it.effect("jitter keeps each delay within 0.8–1.2× of the capped one", () =>
    Effect.gen(function* () {
      const run = scripted(Array(10).fill(transient));
      yield* onTestClock(
        retryWithBackoff(run.effect, { ...policy, jitter: true, maxAttempts: 10 }),
      );
      const delays = run.times.slice(1).map((t, i) => t - (run.times[i] as number));
      const capped = delays.map((_, n) => Math.min(100 * 2 ** n, 700));
      expect(delays).toHaveLength(9);
      delays.forEach((d, n) => {
        expect(d).toBeGreaterThanOrEqual(Math.floor(0.8 * (capped[n] as number)));
        expect(d).toBeLessThanOrEqual(Math.ceil(1.2 * (capped[n] as number)));
      });
      expect(new Set(delays.map((d, n) => d / (capped[n] as number))).size).toBeGreaterThan(1);
    }),
  );
});
