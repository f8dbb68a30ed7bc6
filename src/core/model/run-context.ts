/**
 * What a pipeline run is handed: its identity and audit fields.
 */
import type { BatchId, CaptureId, ExecutionId, PartitionKey, PipelineName } from "./ids";

/** Identity and audit fields of one run, handed to the pipeline by the runner. */
export interface RunContext {
  readonly pipeline: PipelineName;
  readonly domain: string;
  readonly stage: string;
  readonly partitionKey: PartitionKey;
  readonly captureId: CaptureId;
  readonly capturedAt: string;
  readonly executionId: ExecutionId;
  readonly batchId: BatchId;
}
