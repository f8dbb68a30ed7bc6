/**
 * Severity thresholds of alert sinks, in the anomaly vocabulary (`core/model/anomaly-vocabulary.ts`):
 * LOW, MEDIUM, HIGH, CRITICAL, or the seed's names (DEBUG and INFO → LOW, WARN → MEDIUM,
 * ERROR → HIGH).
 */
import {
  type AnomalySeverity,
  parseSeverity,
  SEVERITIES,
  SEVERITY_NAMES,
} from "../core/model/anomaly-vocabulary";

/** The stored severities at or above `min`, for `severity IN (…)`. */
export const severitiesAtLeast = (min: AnomalySeverity): ReadonlyArray<AnomalySeverity> =>
  SEVERITIES.slice(SEVERITIES.indexOf(min));

/** A sink's minimum severity, or `off` (`OFF`, `NONE`) for a sink that gets nothing. */
export type MinSeverity = AnomalySeverity | "off";

/** Reads a `*_MIN_SEVERITY` value; undefined (unset) gives `fallback`, junk an error text. */
export const parseMinSeverity = (
  name: string,
  text: string | undefined,
  fallback: MinSeverity,
): MinSeverity | { readonly problem: string } => {
  if (text === undefined || text.trim() === "") return fallback;
  const upper = text.trim().toUpperCase();
  if (upper === "OFF" || upper === "NONE") return "off";
  return (
    parseSeverity(upper) ?? {
      problem: `${name} must be one of ${SEVERITY_NAMES.join(", ")}, OFF; got "${text}"`,
    }
  );
};
