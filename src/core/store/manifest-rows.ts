/**
 * What `core_manifest` holds and how its rows read: the entry the runner writes, captures and
 * partition summaries as callers see them, and the mappings both store layers share.
 */

import type { RunOwnerInfo } from "../model/run-owner-info";
import type { RunCounts, RunError, RunStatus } from "../model/run-result";
import { type ManifestRow, orderBy } from "./memory";

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

/** What a listing of partitions names: the pipeline and its domain and stage. */
export interface PipelineStage {
  readonly name: string;
  readonly domain: string;
  readonly stage: string;
}

/** One capture of a partition, as reconciliation reads it. */
export interface CaptureRow {
  readonly capture_id: string;
  readonly partition_key: string;
  readonly captured_at: string;
  readonly status: string;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A capture left `running`, as the sweep for interrupted captures reads it. */
export type RunningCapture = Pick<
  ManifestRow,
  "captureId" | "domain" | "partitionKey" | "executionId" | "metadata"
>;

/** Which captures to look at: one partition's. */
export interface PartitionScope {
  readonly domain: string;
  readonly stage: string;
  readonly partitionKey: string;
}

/** The stored row of an entry. */
export const toManifestRow = (entry: ManifestEntry): ManifestRow => ({
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
});

export const toCaptureRow = (row: ManifestRow): CaptureRow => ({
  capture_id: row.captureId,
  partition_key: row.partitionKey,
  captured_at: row.capturedAt,
  status: row.status,
  metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : {},
});

/** The `details` a pipeline run left in a manifest row's metadata (empty when none). */
export const detailsOf = (
  metadata: string | null | undefined,
): Readonly<Record<string, unknown>> =>
  metadata ? ((JSON.parse(metadata) as { details?: Record<string, unknown> }).details ?? {}) : {};

/**
 * Keeps the first row per partition of rows ordered newest first: two captures in the same
 * second share `captured_at`.
 */
export const firstPerPartition = <R extends { readonly partition_key: string }>(
  rows: ReadonlyArray<R>,
): Array<R> => {
  const seen = new Set<string>();
  return rows.filter((row) => !seen.has(row.partition_key) && seen.add(row.partition_key));
};

/** Newest capture first: by `captured_at`, ties broken by capture id. */
export const newestFirst = (rows: Iterable<ManifestRow>) =>
  orderBy(rows, [(r) => r.capturedAt, "desc"], [(r) => r.captureId, "desc"]);
