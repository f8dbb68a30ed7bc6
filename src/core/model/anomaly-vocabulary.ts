/**
 * The words of `core_anomalies` (docs/anomalies.md): a rule (what was checked), one of the
 * seed's categories (what kind of problem), and a severity. Severities are stored as
 * LOW / MEDIUM / HIGH / CRITICAL; filters also accept the seed's names.
 */

/** Severity of an anomaly, as stored and as alerts group them. */
export type AnomalySeverity = "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";

/** Stored severities, least severe first. */
export const SEVERITIES: ReadonlyArray<AnomalySeverity> = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

/** The seed's severity names (seed 000, `core_anomalies`) and the stored severity of each. */
export const SEED_SEVERITIES: Readonly<Record<string, AnomalySeverity>> = {
  DEBUG: "LOW",
  INFO: "LOW",
  WARN: "MEDIUM",
  ERROR: "HIGH",
  CRITICAL: "CRITICAL",
};

/** Every severity name a filter accepts, ours then the seed's. */
export const SEVERITY_NAMES: ReadonlyArray<string> = [
  ...SEVERITIES,
  ...Object.keys(SEED_SEVERITIES).filter((n) => n !== "CRITICAL"),
];

/** The stored severity a filter's name means (case-insensitive), or undefined. */
export const parseSeverity = (text: string): AnomalySeverity | undefined => {
  const name = text.trim().toUpperCase();
  return SEVERITIES.includes(name as AnomalySeverity)
    ? (name as AnomalySeverity)
    : SEED_SEVERITIES[name];
};

/** The seed's anomaly categories. */
export type AnomalyCategory = "QUALITY_GATE" | "NETWORK" | "DATA_QUALITY" | "VALIDATION";

export const CATEGORIES: ReadonlyArray<AnomalyCategory> = [
  "QUALITY_GATE",
  "NETWORK",
  "DATA_QUALITY",
  "VALIDATION",
];

/** The category a filter's name means (case-insensitive), or undefined. */
export const parseCategory = (text: string): AnomalyCategory | undefined => {
  const name = text.trim().toUpperCase();
  return CATEGORIES.includes(name as AnomalyCategory) ? (name as AnomalyCategory) : undefined;
};

/**
 * The category of a rule that does not name its own: `QUALITY_GATE` is its own category;
 * detector rules, invariants and reconciliation are `DATA_QUALITY`.
 */
export const categoryOfRule = (rule: string): AnomalyCategory =>
  rule === "QUALITY_GATE" ? "QUALITY_GATE" : "DATA_QUALITY";
