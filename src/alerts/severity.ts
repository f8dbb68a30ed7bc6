/**
 * Severity thresholds of alert sinks, in the anomaly vocabulary (`core/model/anomaly-vocabulary.ts`):
 * LOW, MEDIUM, HIGH, CRITICAL, or the seed's names (DEBUG and INFO → LOW, WARN → MEDIUM,
 * ERROR → HIGH).
 */
import { type AnomalySeverity, SEVERITIES } from "../core/model/anomaly-vocabulary";

/** The stored severities at or above `min`, for `severity IN (…)`. */
export const severitiesAtLeast = (min: AnomalySeverity): ReadonlyArray<AnomalySeverity> =>
  SEVERITIES.slice(SEVERITIES.indexOf(min));
