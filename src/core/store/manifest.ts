/**
 * The `Manifest` store, `core_manifest`: capture lineage, one row per capture of a partition.
 * `Manifest.Default` is the libSQL layer (over `Db`); `ManifestTest` (`manifest-memory.ts`)
 * the in-memory one.
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreManifest } from "../../db/schema/core";
import type { RunStatus } from "../model/run-result";
import {
  detailsOf,
  firstPerPartition,
  type ManifestEntry,
  type PartitionScope,
  type PartitionSummary,
  type PipelineStage,
  type RunningCapture,
  toCaptureRow,
  toManifestRow,
} from "./manifest-rows";

export type {
  CaptureOutput,
  CaptureRow,
  ManifestEntry,
  PartitionScope,
  PartitionSummary,
  PipelineStage,
  RunningCapture,
} from "./manifest-rows";

const patched = (patch: Readonly<Record<string, unknown>>) =>
  sql`json_patch(coalesce(${coreManifest.metadata}, '{}'), ${JSON.stringify(patch)})`;

const ofPartition = (scope: PartitionScope) =>
  and(
    eq(coreManifest.domain, scope.domain),
    eq(coreManifest.stage, scope.stage),
    eq(coreManifest.partitionKey, scope.partitionKey),
  );

/** Capture lineage in `core_manifest`. */
export class Manifest extends Effect.Service<Manifest>()("dataspine/Manifest", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** Inserts or updates the row of one capture (same capture ⇒ same row). */
      upsert: (entry: ManifestEntry) => {
        const row = toManifestRow(entry);
        const {
          captureId: _,
          domain: _d,
          stage: _s,
          partitionKey: _p,
          capturedAt: _c,
          ...set
        } = row;
        return run("manifest.upsert", (d) =>
          d
            .insert(coreManifest)
            .values(row)
            .onConflictDoUpdate({ target: coreManifest.captureId, set }),
        ).pipe(Effect.asVoid);
      },
      /**
       * Latest capture of every partition of one pipeline (its domain + stage, and its name
       * in the capture's metadata: pipelines may share a domain and stage), newest partition
       * key first; at most `limit`.
       */
      listPartitions: (pipeline: PipelineStage, limit: number) =>
        run("manifest.listPartitions", async (d) => {
          const { domain, stage } = pipeline;
          // Captures written before the metadata named their pipeline belong to whichever asks.
          const ofPipeline = sql`coalesce(json_extract(${coreManifest.metadata}, '$.pipeline'), ${pipeline.name}) = ${pipeline.name}`;
          const where = and(
            eq(coreManifest.domain, domain),
            eq(coreManifest.stage, stage),
            ofPipeline,
          );
          const latest = d
            .select({
              partitionKey: coreManifest.partitionKey,
              capturedAt: sql<string>`max(${coreManifest.capturedAt})`.as("latest_at"),
              captures: sql<number>`count(*)`.as("captures"),
            })
            .from(coreManifest)
            .where(where)
            .groupBy(coreManifest.partitionKey)
            .as("latest");
          const rows = await d
            .select({
              partition_key: coreManifest.partitionKey,
              status: coreManifest.status,
              capture_id: coreManifest.captureId,
              captured_at: coreManifest.capturedAt,
              row_count: coreManifest.rowCount,
              execution_id: coreManifest.executionId,
              captures: latest.captures,
            })
            .from(coreManifest)
            .innerJoin(
              latest,
              and(
                eq(coreManifest.partitionKey, latest.partitionKey),
                eq(coreManifest.capturedAt, latest.capturedAt),
              ),
            )
            .where(where)
            .orderBy(desc(coreManifest.partitionKey), desc(coreManifest.captureId))
            .limit(limit);
          return firstPerPartition<PartitionSummary>(rows);
        }),
      /** Sets a capture's status and merges `patch` into its metadata. */
      updateStatus: (
        captureId: string,
        status: RunStatus,
        patch: Readonly<Record<string, unknown>>,
      ) =>
        run("manifest.updateStatus", (d) =>
          d
            .update(coreManifest)
            .set({ status, metadata: patched(patch) })
            .where(eq(coreManifest.captureId, captureId)),
        ).pipe(Effect.asVoid),
      /** Merges `patch` into a capture's metadata without touching its status. */
      patchMetadata: (captureId: string, patch: Readonly<Record<string, unknown>>) =>
        run("manifest.patchMetadata", (d) =>
          d
            .update(coreManifest)
            .set({ metadata: patched(patch) })
            .where(eq(coreManifest.captureId, captureId)),
        ).pipe(Effect.asVoid),
      /** The latest capture of a partition (ties on the second broken by capture id), if any. */
      latest: (scope: PartitionScope) =>
        run("manifest.latestCapture", (d) =>
          d
            .select()
            .from(coreManifest)
            .where(ofPartition(scope))
            .orderBy(desc(coreManifest.capturedAt), desc(coreManifest.captureId))
            .limit(1),
        ).pipe(Effect.map((rows) => (rows[0] ? toCaptureRow(rows[0]) : undefined))),
      /** One capture by id, if it exists. */
      find: (captureId: string) =>
        run("manifest.findCapture", (d) =>
          d.select().from(coreManifest).where(eq(coreManifest.captureId, captureId)).limit(1),
        ).pipe(Effect.map((rows) => (rows[0] ? toCaptureRow(rows[0]) : undefined))),
      /** The `details` a pipeline run left in its manifest row (empty when none). */
      details: (captureId: string) =>
        run("manifest.details", (d) =>
          d
            .select({ metadata: coreManifest.metadata })
            .from(coreManifest)
            .where(eq(coreManifest.captureId, captureId))
            .limit(1),
        ).pipe(Effect.map((rows) => detailsOf(rows[0]?.metadata))),
      /** Captures still `running` (of one partition, or all). */
      running: (scope?: PartitionScope) =>
        run("manifest.running", (d) =>
          d
            .select({
              captureId: coreManifest.captureId,
              domain: coreManifest.domain,
              partitionKey: coreManifest.partitionKey,
              executionId: coreManifest.executionId,
              metadata: coreManifest.metadata,
            })
            .from(coreManifest)
            .where(
              scope === undefined
                ? eq(coreManifest.status, "running")
                : and(eq(coreManifest.status, "running"), ofPartition(scope)),
            ),
        ).pipe(Effect.map((rows): ReadonlyArray<RunningCapture> => rows)),
      /**
       * Marks a capture `failed` with `metadata`, only while it is still `running` (a
       * concurrent sweep may have marked it already); true when this call marked it.
       */
      markInterrupted: (captureId: string, metadata: string) =>
        run("manifest.markInterrupted", (d) =>
          d
            .update(coreManifest)
            .set({ status: "failed", metadata })
            .where(and(eq(coreManifest.captureId, captureId), eq(coreManifest.status, "running"))),
        ).pipe(Effect.map((result) => result.rowsAffected > 0)),
      /** Which of `partitions` of a stage have a `complete` or `no_data_expected` capture. */
      completedPartitions: (domain: string, stage: string, partitions: ReadonlyArray<string>) =>
        partitions.length === 0
          ? Effect.succeed(new Set<string>())
          : run("core_manifest.present", (d) =>
              d
                .selectDistinct({ partition: coreManifest.partitionKey })
                .from(coreManifest)
                .where(
                  and(
                    eq(coreManifest.domain, domain),
                    eq(coreManifest.stage, stage),
                    inArray(coreManifest.partitionKey, [...partitions]),
                    inArray(coreManifest.status, ["complete", "no_data_expected"]),
                  ),
                ),
            ).pipe(Effect.map((rows) => new Set(rows.map((r) => r.partition)))),
    };
  }),
  accessors: true,
}) {}

/** Inserts or updates the row of one capture (same capture ⇒ same row). */
export const upsertManifest = Manifest.upsert;

/** Latest capture of every partition of one pipeline, newest key first (default limit 100). */
export const listPartitions = (pipeline: PipelineStage, limit = 100) =>
  Manifest.listPartitions(pipeline, limit);

/** How a partition actor mirrors its state (`retrying`, `next_retry_at`) into the manifest. */
export const updateManifestStatus = Manifest.updateStatus;

/** How a replay records the sha256 of the partition's canonical output against a capture. */
export const patchManifestMetadata = Manifest.patchMetadata;

/** The latest capture of a partition, if any. */
export const latestCapture = (domain: string, stage: string, partitionKey: string) =>
  Manifest.latest({ domain, stage, partitionKey });

/** One capture by id, if it exists. */
export const findCapture = Manifest.find;

/** The `details` a pipeline run left in its manifest row (empty when none). */
export const manifestDetails = Manifest.details;
