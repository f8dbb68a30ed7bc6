/**
 * The anomaly store, `core_anomalies`.
 *
 * Runs write what they find (broken invariants that do not reject records) with
 * deterministic ids: the id hashes where the anomaly is (domain, stage, partition) and what it
 * is (rule + key), so finding the same anomaly again updates its row instead of adding one,
 * and a later run that no longer sees it marks it resolved. Each row also names the pipeline
 * and capture that last saw it and the data time it concerns. Operators (HTTP, CLI) read
 * them as one view (rule, category, severity, partition, capture, message, context),
 * filtered by pipeline, severity, category, rule, detection time and resolution, and resolve
 * them.
 */
import { and, desc, eq, gte, inArray, isNull, type SQL, sql } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { dbTry } from "../../db/db";
import { coreAnomalies } from "../../db/schema/index";
import { excluded } from "../../db/sql";
import {
  type AnomalyCategory,
  type AnomalySeverity,
  categoryOfRule,
  SEVERITIES,
} from "../model/anomaly-vocabulary";
import { sha256Hex } from "../model/digest";
import type { RunContext } from "../model/run-context";

export type { AnomalySeverity } from "../model/anomaly-vocabulary";
export { SEVERITIES } from "../model/anomaly-vocabulary";

// Writes by runs.

/** One anomaly found by a run. */
export interface AnomalyInput {
  /** What found it: `REFERENTIAL_INTEGRITY`, `VOLUME_SHIFT`, `QUALITY_GATE`, … */
  readonly rule: string;
  /** The seed's category; default `categoryOfRule(rule)`. */
  readonly category?: AnomalyCategory;
  readonly severity: AnomalySeverity;
  /** What identifies this anomaly within its partition and rule (e.g. `AAPL|2025-01-02`). */
  readonly key: string;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The data time the anomaly concerns (ISO-8601 UTC), if it has one. */
  readonly observedAt?: string;
}

/** The deterministic id of an anomaly of a run's partition. */
export const anomalyId = (ctx: RunContext, rule: string, key: string) =>
  sha256Hex([ctx.domain, ctx.stage, ctx.partitionKey, rule, key].join("\u0000")).pipe(
    Effect.map((hash) => `anom_${hash.slice(0, 32)}`),
  );

/** Upserts anomalies (re-opening resolved ones); returns how many were written. */
export const recordAnomalies = (ctx: RunContext, anomalies: ReadonlyArray<AnomalyInput>) =>
  anomalies.length === 0
    ? Effect.succeed(0)
    : Effect.gen(function* () {
        const rows = yield* Effect.forEach(anomalies, (a) =>
          Effect.map(anomalyId(ctx, a.rule, a.key), (id) => ({
            anomalyId: id,
            domain: ctx.domain,
            stage: ctx.stage,
            partitionKey: ctx.partitionKey,
            severity: a.severity,
            rule: a.rule,
            category: a.category ?? categoryOfRule(a.rule),
            message: a.message,
            detectedAt: ctx.capturedAt,
            metadata: JSON.stringify({
              key: a.key,
              capture_id: ctx.captureId,
              execution_id: ctx.executionId,
              ...a.metadata,
            }),
            resolvedAt: null,
            pipeline: ctx.pipeline,
            captureId: ctx.captureId,
            observedAt: a.observedAt ?? null,
          })),
        );
        // The first detection time is kept; what the latest run saw replaces the rest.
        yield* dbTry("anomalies.upsert", (db) =>
          db
            .insert(coreAnomalies)
            .values(rows)
            .onConflictDoUpdate({
              target: coreAnomalies.anomalyId,
              set: {
                severity: excluded("severity"),
                category: excluded("category"),
                message: excluded("message"),
                metadata: excluded("metadata"),
                pipeline: excluded("pipeline"),
                captureId: excluded("capture_id"),
                observedAt: excluded("observed_at"),
                resolvedAt: null,
              },
            }),
        );
        return rows.length;
      });

/** Marks the open anomalies of these keys of `rule` resolved at the run's capture time. */
export const resolveAnomalies = (ctx: RunContext, rule: string, keys: ReadonlyArray<string>) =>
  keys.length === 0
    ? Effect.succeed(0)
    : Effect.gen(function* () {
        const ids = yield* Effect.forEach(keys, (k) => anomalyId(ctx, rule, k));
        const result = yield* dbTry("anomalies.resolve", (db) =>
          db
            .update(coreAnomalies)
            .set({ resolvedAt: ctx.capturedAt })
            .where(and(inArray(coreAnomalies.anomalyId, ids), isNull(coreAnomalies.resolvedAt))),
        );
        return result.rowsAffected;
      });

// Reads and resolutions by operators.

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
