/**
 * Anomalies raised while ingesting (broken invariants that do not reject records), written to
 * `core_anomalies` with deterministic ids: the id hashes where the anomaly is (domain, stage,
 * partition) and what it is (category + key), so finding the same anomaly again updates its
 * row instead of adding one, and a later run that no longer sees it marks it resolved. Each
 * row also names the pipeline and capture that last saw it and the data time it concerns.
 */
import { and, inArray, isNull } from "drizzle-orm";
import { Effect } from "effect";
import { dbTry } from "../db/db";
import { coreAnomalies } from "../db/schema";
import { excluded } from "../db/sql";
import { sha256Hex } from "./hash";
import type { RunContext } from "./pipeline";

/** Severity of an anomaly, as alerts group them. */
export type AnomalySeverity = "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";

/** One anomaly found by a run. */
export interface AnomalyInput {
  /** `REFERENTIAL_INTEGRITY`, `MONOTONIC_TIMESTAMPS`, … */
  readonly category: string;
  readonly severity: AnomalySeverity;
  /** What identifies this anomaly within its partition and category (e.g. `AAPL|2025-01-02`). */
  readonly key: string;
  readonly message: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The data time the anomaly concerns (ISO-8601 UTC), if it has one. */
  readonly observedAt?: string;
}

/** The deterministic id of an anomaly of a run's partition. */
export const anomalyId = (ctx: RunContext, category: string, key: string) =>
  sha256Hex([ctx.domain, ctx.stage, ctx.partitionKey, category, key].join("\u0000")).pipe(
    Effect.map((hash) => `anom_${hash.slice(0, 32)}`),
  );

/** Upserts anomalies (re-opening resolved ones); returns how many were written. */
export const recordAnomalies = (ctx: RunContext, anomalies: ReadonlyArray<AnomalyInput>) =>
  anomalies.length === 0
    ? Effect.succeed(0)
    : Effect.gen(function* () {
        const rows = yield* Effect.forEach(anomalies, (a) =>
          Effect.map(anomalyId(ctx, a.category, a.key), (id) => ({
            anomalyId: id,
            domain: ctx.domain,
            stage: ctx.stage,
            partitionKey: ctx.partitionKey,
            severity: a.severity,
            category: a.category,
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

/** Marks the open anomalies of these keys resolved at the run's capture time. */
export const resolveAnomalies = (ctx: RunContext, category: string, keys: ReadonlyArray<string>) =>
  keys.length === 0
    ? Effect.succeed(0)
    : Effect.gen(function* () {
        const ids = yield* Effect.forEach(keys, (k) => anomalyId(ctx, category, k));
        const result = yield* dbTry("anomalies.resolve", (db) =>
          db
            .update(coreAnomalies)
            .set({ resolvedAt: ctx.capturedAt })
            .where(and(inArray(coreAnomalies.anomalyId, ids), isNull(coreAnomalies.resolvedAt))),
        );
        return result.rowsAffected;
      });
