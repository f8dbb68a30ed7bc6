/**
 * Anomalies raised while ingesting (broken invariants that do not reject records), written to
 * `core_anomalies` with deterministic ids: the id hashes where the anomaly is (domain, stage,
 * partition) and what it is (rule + key), so finding the same anomaly again updates its
 * row instead of adding one, and a later run that no longer sees it marks it resolved. Each
 * row also names the pipeline and capture that last saw it and the data time it concerns.
 */
import { and, inArray, isNull } from "drizzle-orm";
import { Effect } from "effect";
import { dbTry } from "../db/db";
import { coreAnomalies } from "../db/schema";
import { excluded } from "../db/sql";
import { type AnomalyCategory, type AnomalySeverity, categoryOfRule } from "./anomaly-vocabulary";
import { sha256Hex } from "./hash";
import type { RunContext } from "./pipeline";

export type { AnomalySeverity } from "./anomaly-vocabulary";

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
