/**
 * Severity thresholds of alert sinks. Anomalies are LOW, MEDIUM, HIGH or CRITICAL; the
 * seed's names are accepted too (DEBUG and INFO → LOW, WARN → MEDIUM, ERROR → HIGH).
 */
import type { AnomalySeverity } from "../core/sources-anomalies";

const ORDER: ReadonlyArray<AnomalySeverity> = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

const ALIASES: Readonly<Record<string, AnomalySeverity>> = {
  LOW: "LOW",
  MEDIUM: "MEDIUM",
  HIGH: "HIGH",
  CRITICAL: "CRITICAL",
  DEBUG: "LOW",
  INFO: "LOW",
  WARN: "MEDIUM",
  WARNING: "MEDIUM",
  ERROR: "HIGH",
};

/** A severity name (ours or the seed's, any case) as ours, or undefined. */
export const normalizeSeverity = (name: string): AnomalySeverity | undefined =>
  ALIASES[name.trim().toUpperCase()];

/**
 * Every stored severity name at or above `min`, in both vocabularies, for `severity IN (…)`:
 * a row written with a seed name still reaches the sinks its level calls for.
 */
export const severityNamesAtLeast = (min: AnomalySeverity): ReadonlyArray<string> => {
  const rank = ORDER.indexOf(min);
  return Object.entries(ALIASES)
    .filter(([, level]) => ORDER.indexOf(level) >= rank)
    .map(([name]) => name);
};

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
    normalizeSeverity(upper) ?? {
      problem: `${name} must be one of ${Object.keys(ALIASES).join(", ")}, OFF; got "${text}"`,
    }
  );
};
