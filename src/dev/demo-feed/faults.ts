/**
 * Fault injection for the demo feed: which request fails, and how.
 *
 * A decision is a pure function of (seed, path, attempt number of that path), so a test
 * sees the same faults on every run however concurrent requests interleave.
 */
import * as Either from "effect/Either";
import { hashString } from "./random";

export interface FaultConfig {
  /** Share of requests answered with one of `statuses` (0–1). */
  readonly errorRate: number;
  /** Statuses to fail with, picked deterministically. Default 503, 429, 500, 502. */
  readonly statuses: ReadonlyArray<number>;
  /** Share of requests whose body is cut off mid-stream (0–1). */
  readonly truncateRate: number;
  /** Extra delay before every answer, in ms. */
  readonly latencyMs: number;
  readonly seed: number;
  /** Only paths containing this text are subject to faults. Default: all. */
  readonly match: string;
}

export const NO_FAULTS: FaultConfig = {
  errorRate: 0,
  statuses: [503, 429, 500, 502],
  truncateRate: 0,
  latencyMs: 0,
  seed: 1,
  match: "",
};

export type FaultDecision =
  | { readonly kind: "none" }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "truncate" };

/** The fault for the `attempt`-th request (1-based) of `path`. */
export const decideFault = (config: FaultConfig, path: string, attempt: number): FaultDecision => {
  if (!path.includes(config.match)) return { kind: "none" };
  const u = hashString(`${path}#${attempt}`, config.seed) / 4_294_967_296;
  if (u < config.errorRate && config.statuses.length > 0) {
    const pick = hashString(`${path}#${attempt}#status`, config.seed) % config.statuses.length;
    return { kind: "status", status: config.statuses[pick] ?? 503 };
  }
  if (u < config.errorRate + config.truncateRate) return { kind: "truncate" };
  return { kind: "none" };
};

const rate = (value: unknown, name: string): Either.Either<number | undefined, string> =>
  value === undefined
    ? Either.right(undefined)
    : typeof value === "number" && value >= 0 && value <= 1
      ? Either.right(value)
      : Either.left(`${name} must be a number in [0, 1]`);

/**
 * Reads `{"error_rate","statuses","truncate_rate","latency_ms","seed","match"}` (all
 * optional) over the current config.
 */
export const parseFaultConfig = (
  input: unknown,
  base: FaultConfig = NO_FAULTS,
): Either.Either<FaultConfig, string> =>
  Either.gen(function* () {
    if (typeof input !== "object" || input === null)
      return yield* Either.left("body must be an object");
    const o = input as Readonly<Record<string, unknown>>;
    const errorRate = yield* rate(o.error_rate, "error_rate");
    const truncateRate = yield* rate(o.truncate_rate, "truncate_rate");
    const statuses = o.statuses;
    if (
      statuses !== undefined &&
      !(
        Array.isArray(statuses) &&
        statuses.every((s) => Number.isInteger(s) && s >= 400 && s <= 599)
      )
    ) {
      return yield* Either.left("statuses must be a list of HTTP error statuses");
    }
    const latency = o.latency_ms;
    if (
      latency !== undefined &&
      !(Number.isInteger(latency) && (latency as number) >= 0 && (latency as number) <= 60_000)
    ) {
      return yield* Either.left("latency_ms must be an integer 0..60000");
    }
    if (o.seed !== undefined && !Number.isInteger(o.seed))
      return yield* Either.left("seed must be an integer");
    if (o.match !== undefined && typeof o.match !== "string")
      return yield* Either.left("match must be text");
    return {
      errorRate: errorRate ?? base.errorRate,
      truncateRate: truncateRate ?? base.truncateRate,
      statuses: (statuses as ReadonlyArray<number> | undefined) ?? base.statuses,
      latencyMs: (latency as number | undefined) ?? base.latencyMs,
      seed: (o.seed as number | undefined) ?? base.seed,
      match: (o.match as string | undefined) ?? base.match,
    };
  });

/** The config as JSON, in the same field names `parseFaultConfig` reads. */
export const faultConfigJson = (config: FaultConfig) => ({
  error_rate: config.errorRate,
  statuses: config.statuses,
  truncate_rate: config.truncateRate,
  latency_ms: config.latencyMs,
  seed: config.seed,
  match: config.match,
});
