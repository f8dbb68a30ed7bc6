/**
 * What a detector is: a named, configurable check that turns observations into detections
 * (rule, severity, message, context, the data time it concerns, and a key that identifies
 * the same anomaly across runs so it is stored once).
 */
import type * as Effect from "effect/Effect";
import type { AnomalySeverity } from "../core/store/anomalies";

/** The four operational rules and the general series scorer. */
export type DetectorRule =
  | "MISSING_DATA"
  | "TIME_GAP"
  | "VOLUME_SHIFT"
  | "LATENCY_BREACH"
  | "SERIES_ANOMALY";

/** One anomaly a detector found. */
export interface Detection {
  readonly rule: DetectorRule;
  readonly severity: AnomalySeverity;
  /** Identifies this anomaly within its partition and rule (e.g. `AAPL|2025-06-10`). */
  readonly key: string;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
  /** The data time the anomaly concerns (ISO-8601 UTC). */
  readonly observedAt: string;
}

/**
 * A registered detector: `detect` runs it over a finite input as an Effect; `defaults` are
 * the thresholds it uses unless a caller overrides some. A detector that checks its config
 * fails with `E` (`InvalidDetectorConfig`) on a bad one.
 */
export interface DetectorDefinition<Input, Config, E = never> {
  readonly name: DetectorRule;
  readonly description: string;
  readonly defaults: Config;
  readonly detect: (
    input: Input,
    config?: Partial<Config>,
  ) => Effect.Effect<ReadonlyArray<Detection>, E>;
}

/** A detector with its input, config and error types erased, as the registry holds it. */
// biome-ignore lint/suspicious/noExplicitAny: the registry is heterogeneous by design
export type AnyDetector = DetectorDefinition<any, any, any>;

/** ISO-8601 UTC of an epoch-ms instant. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** Severity from how far past its threshold a measurement is (1 = at the threshold). */
export const severityOf = (ratio: number): AnomalySeverity =>
  ratio >= 4 ? "CRITICAL" : ratio >= 2 ? "HIGH" : ratio >= 1.25 ? "MEDIUM" : "LOW";
