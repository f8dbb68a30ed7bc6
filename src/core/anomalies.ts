/**
 * Reading and resolving `core_anomalies` for operators (HTTP, CLI): the stored row as one
 * view (rule, category, severity, partition, capture, message, context), filtered by
 * pipeline, severity, category, rule, detection time and resolution.
 */
import { and, desc, eq, gte, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { Effect } from "effect";
import { dbTry } from "../db/db";
import { coreAnomalies } from "../db/schema";
import { type AnomalyCategory, type AnomalySeverity, SEVERITIES } from "./anomaly-vocabulary";

export { SEVERITIES } from "./anomaly-vocabulary";

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

const toView = (r: typeof coreAnomalies.$inferSelect): AnomalyView => {
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

/** Anomalies, most recently detected first. */
export const listAnomalies = (filter: AnomalyFilter = {}) => {
  const where: Array<SQL> = [];
  if (filter.pipeline) where.push(eq(coreAnomalies.pipeline, filter.pipeline));
  if (filter.severity) {
    const atLeast = SEVERITIES.slice(SEVERITIES.indexOf(filter.severity));
    where.push(inArray(coreAnomalies.severity, [...atLeast]));
  }
  if (filter.since) where.push(gte(coreAnomalies.detectedAt, filter.since));
  if (filter.unresolved) where.push(isNull(coreAnomalies.resolvedAt));
  if (filter.rule) where.push(eq(coreAnomalies.rule, filter.rule));
  if (filter.category) where.push(eq(coreAnomalies.category, filter.category));
  if (filter.partition) where.push(eq(coreAnomalies.partitionKey, filter.partition));
  return dbTry("anomalies.list", (db) =>
    db
      .select()
      .from(coreAnomalies)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(desc(coreAnomalies.detectedAt), coreAnomalies.anomalyId)
      .limit(filter.limit ?? 100),
  ).pipe(Effect.map((rows) => rows.map(toView)));
};

/** One anomaly, if it exists. */
export const getAnomaly = (id: string) =>
  dbTry("anomalies.get", (db) =>
    db.select().from(coreAnomalies).where(eq(coreAnomalies.anomalyId, id)).limit(1),
  ).pipe(Effect.map((rows) => (rows[0] ? toView(rows[0]) : undefined)));

/**
 * Marks an anomaly resolved at `at` (an operator's decision); an already resolved one keeps
 * its time. Returns the anomaly afterwards, or undefined when there is none.
 */
export const resolveAnomaly = (id: string, at: string) =>
  Effect.gen(function* () {
    yield* dbTry("anomalies.resolveById", (db) =>
      db
        .update(coreAnomalies)
        .set({ resolvedAt: at })
        .where(and(eq(coreAnomalies.anomalyId, id), isNull(coreAnomalies.resolvedAt))),
    );
    return yield* getAnomaly(id);
  });

/** Unresolved anomalies, counted up to `cap` (default 1,000): enough to say "at least". */
export const countUnresolvedAnomalies = (cap = 1000) =>
  dbTry("anomalies.countUnresolved", (db) =>
    db.get<{ n: number }>(
      sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${coreAnomalies} WHERE ${coreAnomalies.resolvedAt} IS NULL LIMIT ${cap})`,
    ),
  ).pipe(Effect.map((row) => Number(row?.n ?? 0)));

/** The anomalies of `ids` that exist, by id. */
export const anomaliesById = (ids: ReadonlyArray<string>) =>
  ids.length === 0
    ? Effect.succeed(new Map<string, AnomalyView>())
    : dbTry("anomalies.byId", (db) =>
        db
          .select()
          .from(coreAnomalies)
          .where(inArray(coreAnomalies.anomalyId, [...ids])),
      ).pipe(Effect.map((rows) => new Map(rows.map((r) => [r.anomalyId, toView(r)]))));
