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
import { Db, dbTryOn } from "../../db/db";
import { writeLater } from "../../db/pending-writes";
import { coreAnomalies } from "../../db/schema/core";
import { excluded } from "../../db/sql";
import {
  type AnomalyCategory,
  type AnomalySeverity,
  categoryOfRule,
} from "../model/anomaly-vocabulary";
import { sha256Hex } from "../model/digest";
import type { RunContext } from "../model/run-context";
import {
  type AnomalyFilter,
  type AnomalyView,
  severitiesFrom,
  toAnomalyView,
} from "./anomaly-view";
import type { PartitionScope } from "./manifest-rows";
import type { AnomalyRow } from "./memory";

export type { AnomalySeverity } from "../model/anomaly-vocabulary";
export { SEVERITIES } from "../model/anomaly-vocabulary";
export type { AnomalyFilter, AnomalyView } from "./anomaly-view";

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

/** The stored rows of anomalies a run found. */
export const toAnomalyRows = (ctx: RunContext, anomalies: ReadonlyArray<AnomalyInput>) =>
  Effect.forEach(anomalies, (a) =>
    Effect.map(
      anomalyId(ctx, a.rule, a.key),
      (id): AnomalyRow => ({
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
      }),
    ),
  );

/** The anomaly key a row was recorded under (`metadata.key`), if any. */
export const keyOfRow = (metadata: string | null): string | undefined => {
  const key = (JSON.parse(metadata ?? "{}") as { key?: unknown }).key;
  return typeof key === "string" ? key : undefined;
};

const whereOf = (filter: AnomalyFilter) => {
  const where: Array<SQL> = [];
  if (filter.pipeline) where.push(eq(coreAnomalies.pipeline, filter.pipeline));
  if (filter.severity) {
    where.push(inArray(coreAnomalies.severity, [...severitiesFrom(filter.severity)]));
  }
  if (filter.since) where.push(gte(coreAnomalies.detectedAt, filter.since));
  if (filter.unresolved) where.push(isNull(coreAnomalies.resolvedAt));
  if (filter.rule) where.push(eq(coreAnomalies.rule, filter.rule));
  if (filter.category) where.push(eq(coreAnomalies.category, filter.category));
  if (filter.partition) where.push(eq(coreAnomalies.partitionKey, filter.partition));
  return where.length > 0 ? and(...where) : undefined;
};

/** Anomalies runs find and operators resolve, in `core_anomalies`. */
export class Anomalies extends Effect.Service<Anomalies>()("dataspine/Anomalies", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    const get = (id: string) =>
      run("anomalies.get", (d) =>
        d.select().from(coreAnomalies).where(eq(coreAnomalies.anomalyId, id)).limit(1),
      ).pipe(Effect.map((rows) => (rows[0] ? toAnomalyView(rows[0]) : undefined)));
    return {
      /**
       * Upserts anomalies (re-opening resolved ones); returns how many were written. The
       * first detection time is kept; what the latest run saw replaces the rest.
       */
      record: (ctx: RunContext, anomalies: ReadonlyArray<AnomalyInput>) =>
        anomalies.length === 0
          ? Effect.succeed(0)
          : Effect.gen(function* () {
              const rows = yield* toAnomalyRows(ctx, anomalies);
              yield* run("anomalies.upsert", (d) =>
                d
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
            }),
      /** Marks the open anomalies among `ids` resolved at `at`; returns how many it marked. */
      resolveIds: (ids: ReadonlyArray<string>, at: string) =>
        ids.length === 0
          ? Effect.succeed(0)
          : run("anomalies.resolve", (d) =>
              d
                .update(coreAnomalies)
                .set({ resolvedAt: at })
                .where(
                  and(inArray(coreAnomalies.anomalyId, [...ids]), isNull(coreAnomalies.resolvedAt)),
                ),
            ).pipe(Effect.map((result) => result.rowsAffected)),
      /** Keys of the open anomalies of one partition's stage under `rule`. */
      openKeys: (scope: PartitionScope, rule: string) =>
        run("anomalies.openKeys", (d) =>
          d
            .select({ metadata: coreAnomalies.metadata })
            .from(coreAnomalies)
            .where(
              and(
                eq(coreAnomalies.domain, scope.domain),
                eq(coreAnomalies.stage, scope.stage),
                eq(coreAnomalies.partitionKey, scope.partitionKey),
                eq(coreAnomalies.rule, rule),
                isNull(coreAnomalies.resolvedAt),
              ),
            ),
        ).pipe(Effect.map((rows) => rows.flatMap((r) => keyOfRow(r.metadata) ?? []))),
      /** Anomalies, most recently detected first (ties by id); default limit 100. */
      list: (filter: AnomalyFilter) =>
        run("anomalies.list", (d) =>
          d
            .select()
            .from(coreAnomalies)
            .where(whereOf(filter))
            .orderBy(desc(coreAnomalies.detectedAt), coreAnomalies.anomalyId)
            .limit(filter.limit ?? 100),
        ).pipe(Effect.map((rows) => rows.map(toAnomalyView))),
      /** One anomaly, if it exists. */
      get,
      /**
       * Marks an anomaly resolved at `at`; an already resolved one keeps its time. Returns
       * the anomaly afterwards, or undefined when there is none.
       */
      resolveById: (id: string, at: string) =>
        run("anomalies.resolveById", (d) =>
          d
            .update(coreAnomalies)
            .set({ resolvedAt: at })
            .where(and(eq(coreAnomalies.anomalyId, id), isNull(coreAnomalies.resolvedAt))),
        ).pipe(Effect.zipRight(get(id))),
      /** Unresolved anomalies, counted up to `cap`. */
      countUnresolved: (cap: number) =>
        run("anomalies.countUnresolved", (d) =>
          d.get<{ n: number }>(
            sql`SELECT count(*) AS n FROM (SELECT 1 FROM ${coreAnomalies} WHERE ${coreAnomalies.resolvedAt} IS NULL LIMIT ${cap})`,
          ),
        ).pipe(Effect.map((row) => Number(row?.n ?? 0))),
      /** The anomalies of `ids` that exist, by id. */
      byId: (ids: ReadonlyArray<string>) =>
        ids.length === 0
          ? Effect.succeed(new Map<string, AnomalyView>())
          : run("anomalies.byId", (d) =>
              d
                .select()
                .from(coreAnomalies)
                .where(inArray(coreAnomalies.anomalyId, [...ids])),
            ).pipe(Effect.map((rows) => new Map(rows.map((r) => [r.anomalyId, toAnomalyView(r)])))),
    };
  }),
  accessors: true,
}) {}

/** Upserts anomalies (re-opening resolved ones); returns how many were written. */
export const recordAnomalies = Anomalies.record;

/** Marks the open anomalies of these keys of `rule` resolved at the run's capture time. */
export const resolveAnomalies = (ctx: RunContext, rule: string, keys: ReadonlyArray<string>) =>
  resolveAnomalyRefs(
    ctx,
    keys.map((key) => ({ rule, key })),
  );

/** An anomaly of a run's partition by what identifies it. */
export interface AnomalyRef {
  readonly rule: string;
  readonly key: string;
}

/** Resolves the open ones of these anomalies (of any rules) at once; returns how many. */
export const resolveAnomalyRefs = (ctx: RunContext, refs: ReadonlyArray<AnomalyRef>) =>
  Effect.flatMap(
    Effect.forEach(refs, (r) => anomalyId(ctx, r.rule, r.key)),
    (ids) => Anomalies.resolveIds(ids, ctx.capturedAt),
  );

/**
 * The same when nobody reads how many it resolved: during a run it goes out with the run's
 * next write (`writeLater`), costing no request of its own.
 */
export const resolveAnomaliesLater = (ctx: RunContext, refs: ReadonlyArray<AnomalyRef>) =>
  refs.length === 0 ? Effect.void : writeLater(resolveAnomalyRefs(ctx, refs));

/** Anomalies, most recently detected first. */
export const listAnomalies = (filter: AnomalyFilter = {}) => Anomalies.list(filter);

/** One anomaly, if it exists. */
export const getAnomaly = Anomalies.get;

/** Marks an anomaly resolved at `at` (an operator's decision); returns it afterwards. */
export const resolveAnomaly = Anomalies.resolveById;

/** Unresolved anomalies, counted up to `cap` (default 1,000): enough to say "at least". */
export const countUnresolvedAnomalies = (cap = 1000) => Anomalies.countUnresolved(cap);

/** The anomalies of `ids` that exist, by id. */
export const anomaliesById = Anomalies.byId;
