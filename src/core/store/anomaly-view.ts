/**
 * How operators see `core_anomalies` (HTTP, CLI, status page): the view of a row, the filters
 * of a listing, and the mappings both store layers share.
 */
import type { AnomalyCategory, AnomalySeverity } from "../model/anomaly-vocabulary";
import { SEVERITIES } from "../model/anomaly-vocabulary";
import type { AnomalyRow } from "./memory";

/** An anomaly as the API and CLI show it. */
export interface AnomalyView {
  readonly anomaly_id: string;
  readonly rule: string;
  /** The seed's category: QUALITY_GATE, NETWORK, DATA_QUALITY or VALIDATION. */
  readonly category: string;
  readonly severity: string;
  readonly domain: string;
  readonly stage: string;
  readonly pipeline: string | null;
  readonly partition_key: string;
  readonly capture_id: string | null;
  readonly message: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly observed_at: string | null;
  readonly detected_at: string;
  readonly resolved_at: string | null;
}

/** Filters of a listing; all optional. `severity` is a minimum (HIGH = HIGH + CRITICAL). */
export interface AnomalyFilter {
  readonly pipeline?: string;
  readonly severity?: AnomalySeverity;
  /** Detected at or after this ISO-8601 instant. */
  readonly since?: string;
  readonly unresolved?: boolean;
  readonly rule?: string;
  readonly category?: AnomalyCategory;
  readonly partition?: string;
  /** Default 100. */
  readonly limit?: number;
}

const IDS = new Set(["key", "capture_id", "execution_id"]);

export const toAnomalyView = (r: AnomalyRow): AnomalyView => {
  const metadata = r.metadata ? (JSON.parse(r.metadata) as Record<string, unknown>) : {};
  const context =
    typeof metadata.context === "object" && metadata.context !== null
      ? (metadata.context as Record<string, unknown>)
      : Object.fromEntries(Object.entries(metadata).filter(([k]) => !IDS.has(k)));
  return {
    anomaly_id: r.anomalyId,
    rule: r.rule,
    category: r.category,
    severity: r.severity,
    domain: r.domain,
    stage: r.stage,
    pipeline: r.pipeline,
    partition_key: r.partitionKey,
    capture_id:
      r.captureId ?? (typeof metadata.capture_id === "string" ? metadata.capture_id : null),
    message: r.message,
    context,
    observed_at: r.observedAt,
    detected_at: r.detectedAt,
    resolved_at: r.resolvedAt,
  };
};

/** The severities at or above `severity`. */
export const severitiesFrom = (severity: AnomalySeverity) =>
  SEVERITIES.slice(SEVERITIES.indexOf(severity));
