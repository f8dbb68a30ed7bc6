/**
 * Alerts for people: one line per anomaly (`[HIGH] VOLUME_SHIFT at 2025-01-01 10:00:00 UTC:
 * …`) and a batch summary grouped by severity, most severe first.
 */
import type { AnomalySeverity } from "../core/store/anomalies";

/** What an alert needs of an anomaly (a detection or a stored row). */
export interface Alertable {
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
  /** ISO-8601 UTC: when the anomaly happened in the data. */
  readonly at: string;
  readonly partitionKey?: string;
  readonly context?: Readonly<Record<string, unknown>>;
}

export const SEVERITY_ORDER: ReadonlyArray<AnomalySeverity> = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

/** `2025-01-01T10:00:00.000Z` → `2025-01-01 10:00:00 UTC`. */
export const alertTime = (isoTime: string): string => {
  const ms = Date.parse(isoTime);
  return Number.isNaN(ms)
    ? isoTime
    : `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
};

/** One alert line. */
export const formatAlert = (a: Alertable): string =>
  `[${a.severity}] ${a.rule} at ${alertTime(a.at)}: ${a.message}${a.partitionKey ? ` (partition ${a.partitionKey})` : ""}`;

/** A summary line with counts per severity, then the alerts grouped by severity. */
export const formatBatch = (anomalies: ReadonlyArray<Alertable>): string => {
  if (anomalies.length === 0) return "No anomalies.";
  const known = new Set<string>(SEVERITY_ORDER);
  const groups = [
    ...SEVERITY_ORDER,
    ...new Set(anomalies.map((a) => a.severity).filter((s) => !known.has(s))),
  ];
  const lines: Array<string> = [];
  const counts: Array<string> = [];
  for (const severity of groups) {
    const group = anomalies
      .filter((a) => a.severity === severity)
      .sort((x, y) => x.at.localeCompare(y.at) || x.rule.localeCompare(y.rule));
    if (group.length === 0) continue;
    counts.push(`${group.length} ${severity}`);
    lines.push(`${severity} (${group.length})`);
    for (const a of group) lines.push(`  ${formatAlert(a)}`);
  }
  return [
    `${anomalies.length} anomal${anomalies.length === 1 ? "y" : "ies"}: ${counts.join(", ")}`,
    ...lines,
  ].join("\n");
};
