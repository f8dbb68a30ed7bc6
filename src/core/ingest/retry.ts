/**
 * Retry policy for transient failures, as an Effect `Schedule`.
 */
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Schedule from "effect/Schedule";
import { isRetryable, type PipelineError, TransientSourceError } from "../model/errors";

/** Exponential backoff settings. Jitter is off by default so runs are reproducible. */
export interface RetryPolicy {
  /** First delay. Default 200 ms. */
  readonly baseDelayMs: number;
  /** Growth per attempt. Default 2. */
  readonly factor: number;
  /** Upper bound of one delay. Default 5 s. */
  readonly capMs: number;
  /** Attempts in total, the first one included. Default 3. */
  readonly maxAttempts: number;
  /** Randomise each delay (0.8–1.2×). Default false. */
  readonly jitter: boolean;
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMs: 200,
  factor: 2,
  capMs: 5_000,
  maxAttempts: 3,
  jitter: false,
};

const retryAfterOf = (error: PipelineError): number | undefined =>
  error._tag === "TransientSourceError" ? error.retryAfterMs : undefined;

/**
 * A schedule over pipeline errors: retries only retryable ones, backs off exponentially up
 * to the cap, and waits at least as long as a `Retry-After` the source sent.
 */
export const retrySchedule = (policy: RetryPolicy = defaultRetryPolicy) => {
  const backoff = Schedule.exponential(Duration.millis(policy.baseDelayMs), policy.factor).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.millis(policy.capMs))),
  );
  const jittered = policy.jitter ? Schedule.jittered(backoff) : backoff;
  const bounded = jittered.pipe(
    Schedule.intersect(Schedule.recurs(Math.max(0, policy.maxAttempts - 1))),
  );
  return Schedule.identity<PipelineError>().pipe(
    Schedule.zipLeft(bounded),
    Schedule.whileInput(isRetryable),
    Schedule.modifyDelay((error, delay) => {
      const retryAfter = retryAfterOf(error);
      return retryAfter === undefined
        ? delay
        : Duration.max(delay, Duration.millis(Math.min(retryAfter, 60_000)));
    }),
  );
};

/**
 * Retries one source request under the policy. When it still fails, the error says how
 * many attempts were made, so a dead letter or a failed run shows it.
 */
export const retryRequest = <A, R>(
  effect: Effect.Effect<A, PipelineError, R>,
  policy: RetryPolicy = defaultRetryPolicy,
): Effect.Effect<A, PipelineError, R> =>
  Effect.suspend(() => {
    let attempts = 0;
    return Effect.suspend(() => {
      attempts += 1;
      return effect;
    }).pipe(
      Effect.retry(retrySchedule(policy)),
      Effect.mapError((error) =>
        error._tag === "TransientSourceError" && attempts > 1
          ? new TransientSourceError({
              ...error,
              attempts,
              message: `${error.message} (after ${attempts} attempts)`,
            })
          : error,
      ),
    );
  });

/**
 * The delay before retry `retryCount` (0-based) of a whole run: `baseMs · 2^retryCount`, up to
 * `maxMs`, spread at random over [delay, 1.5 × delay) so that the runs one outage failed
 * together do not all come back in the same second.
 */
export const runRetryDelayMs = (
  retryCount: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number => {
  const delay = Math.min(maxMs, baseMs * 2 ** retryCount);
  return Math.floor(delay * (1 + random() / 2));
};
