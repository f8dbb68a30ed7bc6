/**
 * Branded identifiers of the framework and the capture-id contract.
 */
import * as Schema from "effect/Schema";

/** One capture of one partition: `{domain}.{stage}.{partition_key}.{timestamp}`. */
export const CaptureId = Schema.String.pipe(Schema.brand("CaptureId"));
export type CaptureId = typeof CaptureId.Type;

/** One execution of a pipeline (a run, with all of its retries inside the run). */
export const ExecutionId = Schema.String.pipe(Schema.brand("ExecutionId"));
export type ExecutionId = typeof ExecutionId.Type;

/** Groups executions started together (one cron tick, one backfill, one CLI call). */
export const BatchId = Schema.String.pipe(Schema.brand("BatchId"));
export type BatchId = typeof BatchId.Type;

/** A registered pipeline name such as `market_data.ingest_prices`. */
export const PipelineName = Schema.String.pipe(
  Schema.pattern(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/),
  Schema.brand("PipelineName"),
);
export type PipelineName = typeof PipelineName.Type;

/** A partition key such as `2025-01-02|demo`. Its shape is owned by each pipeline. */
export const PartitionKey = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(200),
  Schema.brand("PartitionKey"),
);
export type PartitionKey = typeof PartitionKey.Type;

/** Formats an instant as the compact UTC stamp used in capture ids: `20260104T143022Z`. */
export const compactUtcStamp = (at: Date): string =>
  at
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");

/**
 * Builds the capture id of one run.
 *
 * @example makeCaptureId("market_data", "INGEST", "2025-01-02|demo", new Date(0))
 * // "market_data.INGEST.2025-01-02|demo.19700101T000000Z"
 */
export const makeCaptureId = (
  domain: string,
  stage: string,
  partitionKey: string,
  at: Date,
): CaptureId => CaptureId.make(`${domain}.${stage}.${partitionKey}.${compactUtcStamp(at)}`);

/** A new random execution id (`exec_` + UUID v4). */
export const newExecutionId = (): ExecutionId => ExecutionId.make(`exec_${crypto.randomUUID()}`);
