/**
 * Retry policy for transient failures: exponential backoff, jitter, `Retry-After`.
 */
import * as Effect from "effect/Effect";
import * as Random from "effect/Random";
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

/** How `retryWithBackoff` waits between attempts (the policy's delays) and when it stops. */
export interface Backoff<E> extends RetryPolicy {
  /** Only failures this accepts are retried. */
  readonly while: (error: E) => boolean;
  /** The least wait after `error` in ms (a `Retry-After`), if it asks for one. */
  readonly atLeastMs?: (error: E) => number | undefined;
}

/**
 * Runs `effect` again after each failure `while` accepts, up to `maxAttempts` runs, waiting
 * `baseDelayMs · factor^n` (n = retries so far) capped at `capMs`, jittered if asked, and at
 * least `atLeastMs(error)`. The result is the first success or the last failure.
 */
export const retryWithBackoff = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  backoff: Backoff<E>,
): Effect.Effect<A, E, R> => {
  const jittered = (ms: number) =>
    backoff.jitter
      ? Effect.map(Random.next, (random) => ms * (0.8 + 0.4 * random))
      : Effect.succeed(ms);
  const attempt = (retries: number): Effect.Effect<A, E, R> =>
    Effect.catchAll(effect, (error) => {
      if (retries >= backoff.maxAttempts - 1 || !backoff.while(error)) return Effect.fail(error);
      const capped = Math.min(backoff.baseDelayMs * backoff.factor ** retries, backoff.capMs);
      return Effect.flatMap(jittered(capped), (delay) => {
        const atLeast = backoff.atLeastMs?.(error);
        const wait = atLeast === undefined ? delay : Math.max(delay, atLeast);
        return Effect.zipRight(Effect.sleep(wait), attempt(retries + 1));
      });
    });
  return attempt(0);
};

/**
 * Retries only retryable pipeline errors, backs off exponentially up to the cap, and waits
 * at least as long as a `Retry-After` the source sent (at most a minute).
 */
const retryPolicyOf = (policy: RetryPolicy): Backoff<PipelineError> => ({
  ...policy,
  while: isRetryable,
  atLeastMs: (error) => {
    const retryAfter = retryAfterOf(error);
    return retryAfter === undefined ? undefined : Math.min(retryAfter, 60_000);
  },
});

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
    return retryWithBackoff(
      Effect.suspend(() => {
        attempts += 1;
        return effect;
      }),
      retryPolicyOf(policy),
    ).pipe(
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
