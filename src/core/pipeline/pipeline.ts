/**
 * What a pipeline is, and the registry that names them.
 */
import type * as Effect from "effect/Effect";
import type * as Either from "effect/Either";
import type { Db } from "../../db/db";
import type { DatabaseError } from "../../db/errors";
import type { InvalidBackfillParams } from "../backfill/errors";
import type { BackfillParams, DateRange } from "../backfill/range";
import type { AppConfig, SourceSettings } from "../config/app-config";
import type { HttpFetch } from "../http/http-fetch";
import type { CanonicalRecord } from "../model/canonical-record";
import type { InvalidPartitionKey, PipelineError } from "../model/errors";
import type { PartitionKey, PipelineName } from "../model/ids";
import type { QualityGate, RejectionSummary } from "../model/quality";
import type { RunContext } from "../model/run-context";
import type { RunCounts } from "../model/run-result";
import type { StoreServices } from "../store/layers";
import type { AuditLog } from "./audit-log";
import type { OutputDigest } from "./output-digest";

/**
 * Services any pipeline (and the runner) may use; every runtime (Node CLI, Worker, actor)
 * provides all.
 */
export type PipelineServices = StoreServices | HttpFetch | AppConfig | AuditLog | OutputDigest;

/**
 * How a pipeline run ended when it did not fail. `skipped`: the pipeline's own gate (e.g. a
 * history window) decided not to compute; `details.reason` says why.
 */
export interface PipelineOutcome {
  readonly status: "complete" | "no_data_expected" | "skipped";
  readonly counts: RunCounts;
  /** What was quarantined, by contract; the quality gate and its anomaly report it. */
  readonly rejections?: RejectionSummary;
  /** Pipeline-specific facts for the manifest's metadata. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One page of a partition's stored records (`ReplayMode.storedPage`). */
export interface StoredPage {
  /** The page's records, in the table's key order; a page may hold none and not be the last. */
  readonly records: ReadonlyArray<CanonicalRecord>;
  /** Where the next page starts (opaque to the caller), or undefined after the last page. */
  readonly next: string | undefined;
}

/**
 * Replay mode of a pipeline: a partition's canonical output recomputed from the same inputs
 * without writing anything, and the same partition as stored, for reconciliation. A pipeline
 * sees its partitions as keys; `definePipeline` lets it write them over typed partitions `P`.
 */
export interface ReplayMode<P = PartitionKey> {
  /** Fields that identify one canonical record of the partition (stable row order). */
  readonly key: ReadonlyArray<string>;
  /** Range params a replay request may omit, e.g. `{ universe: "demo" }`. */
  readonly defaultParams?: BackfillParams;
  /** The partition's canonical records from its source; no table, quarantine or audit write. */
  readonly records: (
    partition: P,
  ) => Effect.Effect<ReadonlyArray<CanonicalRecord>, PipelineError, PipelineServices>;
  /** The partition's canonical records as its table holds them now. */
  readonly stored: (
    partition: P,
  ) => Effect.Effect<ReadonlyArray<CanonicalRecord>, DatabaseError, Db>;
  /**
   * The same records page by page: at most `limit` table rows from `after` (the previous
   * page's `next`; undefined for the first), by keyset in the table's key order, never
   * OFFSET. For pipelines whose stored output can be large: its output hash is then computed
   * in bounded memory (`stored-output.ts`). The pages together hold exactly `stored`'s records.
   */
  readonly storedPage?: (
    partition: P,
    after: string | undefined,
    limit: number,
  ) => Effect.Effect<StoredPage, DatabaseError, Db>;
}

/**
 * A pipeline's partitions as the registry, runner, backfill planner and cron see them: filled
 * from its `PartitionScheme` (`partitioning` in `define-pipeline.ts`).
 */
export interface Partitioning {
  /** An example key, shown in errors and help. */
  readonly partitionExample: string;
  /** Checks and canonicalises a partition key. */
  readonly parsePartition: (key: string) => Either.Either<PartitionKey, InvalidPartitionKey>;
  /** The date a (checked) key names, if any: the runner refuses a date after today. */
  readonly partitionDate: (key: PartitionKey) => string | undefined;
  /** Partitions that live (cron) mode should bring up to date at `now`; empty if none. */
  readonly livePartitions: (now: Date, config: SourceSettings) => ReadonlyArray<PartitionKey>;
  /**
   * The partitions a scheduled delivery on `date` (New York) fills, for MissingData over
   * `core_expected_schedules`; default: `livePartitions` at the session's data time.
   */
  readonly expectedPartitions?: (
    date: string,
    config: SourceSettings,
  ) => ReadonlyArray<PartitionKey>;
  /**
   * The partitions of a (validated, inclusive) date range, in backfill order; absent when
   * the pipeline cannot be backfilled. Must be deterministic: same input ⇒ same list.
   */
  readonly partitionsForRange?: (
    range: DateRange,
    params: BackfillParams,
  ) => Either.Either<ReadonlyArray<PartitionKey>, InvalidBackfillParams>;
}

/** A registered pipeline: a partitioned unit of work with a stable name. */
export interface Pipeline extends Partitioning {
  readonly name: PipelineName;
  readonly domain: string;
  readonly stage: string;
  readonly description: string;
  /** Replay mode; absent when the pipeline cannot be replayed. */
  readonly replay?: ReplayMode;
  /**
   * Calculations (pipeline names) whose output for the same partition this one reads; the
   * runner refuses to run it until they are ready (`core_calc_dependencies`).
   */
  readonly dependsOn?: ReadonlyArray<string>;
  /**
   * The run's quality gate (default: at most 5% quarantined, `QUALITY_GATE_*` config); the
   * runner fails a completed run that does not pass it.
   */
  readonly qualityGate?: QualityGate;
  /** The work. Must be idempotent per partition: re-running upserts, never duplicates. */
  readonly run: (
    ctx: RunContext,
  ) => Effect.Effect<PipelineOutcome, PipelineError, PipelineServices>;
}
