/**
 * `core_manifest`: capture lineage, one row per capture of a partition.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { dbTry } from "../../db/db";
import { coreManifest } from "../../db/schema/index";
import type { RunCounts, RunError, RunStatus } from "../model/run-result";
import type { RunOwnerInfo } from "../pipeline/run-owner";

/** One manifest row as the runner writes it. */
export interface ManifestEntry {
  readonly captureId: string;
  readonly domain: string;
  readonly stage: string;
  readonly partitionKey: string;
  readonly capturedAt: string;
  readonly status: RunStatus;
  readonly rowCount: number | null;
  readonly executionId: string;
  readonly batchId: string;
  readonly metadata: {
    readonly pipeline: string;
    readonly counts: RunCounts;
    readonly attempts: number;
    readonly startedAt: string;
    readonly finishedAt?: string;
    readonly error?: RunError;
    readonly details?: Readonly<Record<string, unknown>>;
    /** Hash of the partition's canonical output after this capture (pipelines with replay). */
    readonly output?: CaptureOutput;
    /** Who runs the capture (`run-owner.ts`): how an interrupted capture is recognised. */
    readonly owner?: RunOwnerInfo;
  };
}

/** The canonical output of a partition as a capture left it: what a replay must reproduce. */
export interface CaptureOutput {
  readonly sha256: string;
  readonly records: number;
}

/** Inserts or updates the row of one capture (same capture ⇒ same row). */
export const upsertManifest = (entry: ManifestEntry) => {
  const row = {
    captureId: entry.captureId,
    domain: entry.domain,
    stage: entry.stage,
    partitionKey: entry.partitionKey,
    capturedAt: entry.capturedAt,
    status: entry.status,
    rowCount: entry.rowCount,
    metadata: JSON.stringify(entry.metadata),
    executionId: entry.executionId,
    batchId: entry.batchId,
  };
  return dbTry("manifest.upsert", (db) =>
    db
      .insert(coreManifest)
      .values(row)
      .onConflictDoUpdate({
        target: coreManifest.captureId,
        set: {
          status: row.status,
          rowCount: row.rowCount,
          metadata: row.metadata,
          executionId: row.executionId,
          batchId: row.batchId,
        },
      }),
  ).pipe(Effect.asVoid);
};

/** A partition as listed from the manifest: its latest capture. */
export interface PartitionSummary {
  readonly partition_key: string;
  readonly status: string;
  readonly capture_id: string;
  readonly captured_at: string;
  readonly row_count: number | null;
  readonly execution_id: string | null;
  readonly captures: number;
}

/**
 * Latest capture of every partition of one pipeline (its domain + stage, and its name in the
 * capture's metadata: pipelines may share a domain and stage, e.g. `trade_data.ingest_trades`
 * and `dataspine ingest --source execution_csv`), newest partition key first. `limit`
 * defaults to 100.
 */
export const listPartitions = (
  pipeline: { readonly name: string; readonly domain: string; readonly stage: string },
  limit = 100,
) =>
  dbTry("manifest.listPartitions", async (db) => {
    const { domain, stage } = pipeline;
    // Captures written before the metadata named their pipeline belong to whichever asks.
    const ofPipeline = sql`coalesce(json_extract(${coreManifest.metadata}, '$.pipeline'), ${pipeline.name}) = ${pipeline.name}`;
    const latest = db
      .select({
        partitionKey: coreManifest.partitionKey,
        capturedAt: sql<string>`max(${coreManifest.capturedAt})`.as("latest_at"),
        captures: sql<number>`count(*)`.as("captures"),
      })
      .from(coreManifest)
      .where(and(eq(coreManifest.domain, domain), eq(coreManifest.stage, stage), ofPipeline))
      .groupBy(coreManifest.partitionKey)
      .as("latest");
    const rows = await db
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
      .where(and(eq(coreManifest.domain, domain), eq(coreManifest.stage, stage), ofPipeline))
      .orderBy(desc(coreManifest.partitionKey), desc(coreManifest.captureId))
      .limit(limit);
    // Two captures in the same second share captured_at; keep the first per partition.
    const seen = new Set<string>();
    const unique: Array<PartitionSummary> = [];
    for (const row of rows) {
      if (seen.has(row.partition_key)) continue;
      seen.add(row.partition_key);
      unique.push(row);
    }
    return unique;
  });

/**
 * Sets the status of a capture and merges `patch` into its metadata — how a partition actor
 * mirrors its own state (`retrying`, `next_retry_at`) into `core_manifest`.
 */
export const updateManifestStatus = (
  captureId: string,
  status: RunStatus,
  patch: Readonly<Record<string, unknown>>,
) =>
  dbTry("manifest.updateStatus", (db) =>
    db
      .update(coreManifest)
      .set({
        status,
        metadata: sql`json_patch(coalesce(${coreManifest.metadata}, '{}'), ${JSON.stringify(patch)})`,
      })
      .where(eq(coreManifest.captureId, captureId)),
  ).pipe(Effect.asVoid);

/** One capture of a partition, as reconciliation reads it. */
export interface CaptureRow {
  readonly capture_id: string;
  readonly partition_key: string;
  readonly captured_at: string;
  readonly status: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

const toCaptureRow = (row: typeof coreManifest.$inferSelect): CaptureRow => ({
  capture_id: row.captureId,
  partition_key: row.partitionKey,
  captured_at: row.capturedAt,
  status: row.status,
  metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : {},
});

/** The latest capture of a partition (ties on the second broken by capture id), if any. */
export const latestCapture = (domain: string, stage: string, partitionKey: string) =>
  dbTry("manifest.latestCapture", (db) =>
    db
      .select()
      .from(coreManifest)
      .where(
        and(
          eq(coreManifest.domain, domain),
          eq(coreManifest.stage, stage),
          eq(coreManifest.partitionKey, partitionKey),
        ),
      )
      .orderBy(desc(coreManifest.capturedAt), desc(coreManifest.captureId))
      .limit(1),
  ).pipe(Effect.map((rows) => (rows[0] ? toCaptureRow(rows[0]) : undefined)));

/** One capture by id, if it exists. */
export const findCapture = (captureId: string) =>
  dbTry("manifest.findCapture", (db) =>
    db.select().from(coreManifest).where(eq(coreManifest.captureId, captureId)).limit(1),
  ).pipe(Effect.map((rows) => (rows[0] ? toCaptureRow(rows[0]) : undefined)));

/**
 * Merges `patch` into a capture's metadata without touching its status: how a replay
 * records the sha256 of the partition's canonical output against the capture.
 */
export const patchManifestMetadata = (
  captureId: string,
  patch: Readonly<Record<string, unknown>>,
) =>
  dbTry("manifest.patchMetadata", (db) =>
    db
      .update(coreManifest)
      .set({
        metadata: sql`json_patch(coalesce(${coreManifest.metadata}, '{}'), ${JSON.stringify(patch)})`,
      })
      .where(eq(coreManifest.captureId, captureId)),
  ).pipe(Effect.asVoid);
