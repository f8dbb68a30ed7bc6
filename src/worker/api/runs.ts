/**
 * Running partitions and reading their state: `POST /runs`, `GET /partitions`,
 * `GET /partitions/:pipeline/:partition`, backfills (`POST /backfills`, `GET /backfills/:id`)
 * and `GET /readiness`.
 */
import * as Schema from "effect/Schema";
import { MAX_BACKFILL_CONCURRENCY } from "../../core/backfill/backfill";
import {
  BackfillNotFound,
  BackfillNotSupported,
  BackfillUnavailable,
  InvalidBackfillParams,
  InvalidBackfillRange,
} from "../../core/backfill/errors";
import { InvalidPartitionKey, PartitionNotFound, UnknownPipeline } from "../../core/model/errors";
import { RunResult as CoreRunResult, RunCounts, RunError } from "../../core/model/run-result";
import { DependenciesNotReady } from "../../core/pipeline/calc-dependencies";
import { PartitionInFuture } from "../../core/pipeline/partition-time";
import { DatabaseError } from "../../db/errors";
import { IsoDate, Limit, MAX_TEXT, optional, Text } from "../request-schemas";
import { route } from "./route";

/** Pipeline params (`{"week_ending":"2025-01-03"}`): bounded names and values. */
export const Params = Schema.Record({
  key: Schema.String.pipe(Schema.maxLength(MAX_TEXT)),
  value: Text,
});
const StringMap = Schema.Record({ key: Schema.String, value: Schema.String });

/** The body fields of a date-range request: a backfill's, a replay's. */
export const RangeRequest = { pipeline: Text, start: Text, end: Text, params: optional(Params) };

/** What planning a date range may refuse (a replay plans its range as a backfill does). */
export const RANGE_ERRORS = [
  BackfillNotSupported,
  InvalidBackfillRange,
  InvalidBackfillParams,
  InvalidPartitionKey,
] as const;

export const RunResult = CoreRunResult.annotations({ identifier: "RunResult" });

/** Path params of a partition. */
export const PartitionParams = Schema.Struct({ pipeline: Text, partition: Text });

const PartitionSummary = Schema.Struct({
  partition_key: Schema.String,
  status: Schema.String,
  capture_id: Schema.String,
  captured_at: Schema.String,
  row_count: Schema.NullOr(Schema.Number),
  execution_id: Schema.NullOr(Schema.String),
  captures: Schema.Number,
});

const PartitionRun = Schema.Struct({
  execution_id: Schema.String,
  capture_id: Schema.NullOr(Schema.String),
  trigger: Schema.String,
  attempt: Schema.Number,
  status: Schema.String,
  counts: Schema.NullOr(RunCounts),
  error: Schema.NullOr(RunError),
  started_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
});

const PartitionStatus = Schema.Struct({
  pipeline: Schema.String,
  partition: Schema.String,
  status: Schema.String,
  stage: Schema.String,
  capture_id: Schema.NullOr(Schema.String),
  execution_id: Schema.NullOr(Schema.String),
  row_count: Schema.NullOr(Schema.Number),
  counts: Schema.NullOr(RunCounts),
  attempts: Schema.Number,
  retry_count: Schema.Number,
  last_error: Schema.NullOr(RunError),
  started_at: Schema.NullOr(Schema.String),
  finished_at: Schema.NullOr(Schema.String),
  next_retry_at: Schema.NullOr(Schema.String),
  updated_at: Schema.String,
  history: Schema.Array(PartitionRun),
}).annotations({ identifier: "PartitionStatus" });

const RUN_ANSWERS = {
  200: {
    description: "Done: complete, no data expected, or skipped by its gate.",
    schema: RunResult,
  },
  202: {
    description: "Still going: pending, running or retrying (the actor retries).",
    schema: RunResult,
  },
  422: {
    description: "Failed its quality gate (`error.tag` QualityGateFailed, `error.gate`).",
    schema: RunResult,
  },
  502: { description: "Failed: the source or the database (`error`).", schema: RunResult },
} as const;

export const RUN = route({
  method: "POST",
  path: "/runs",
  operationId: "runPartition",
  summary: "Run one partition through its actor",
  description: "A run already in flight is joined. A failed run is an answer, not an error.",
  tag: "runs",
  scope: "write",
  body: {
    schema: Schema.Struct({ pipeline: Text, partition: Text, batch_id: optional(Text) }),
    shape: '{"pipeline","partition","batch_id"?}',
  },
  responses: RUN_ANSWERS,
  errors: [UnknownPipeline, InvalidPartitionKey, PartitionInFuture, DependenciesNotReady],
});

export const LIST_PARTITIONS = route({
  method: "GET",
  path: "/partitions",
  operationId: "listPartitions",
  summary: "Partitions of a pipeline: the latest capture of each, newest key first",
  tag: "runs",
  scope: "read",
  query: Schema.Struct({ pipeline: Text, limit: Limit(1000, 100) }),
  responses: {
    200: {
      description: "The partitions.",
      schema: Schema.Struct({
        pipeline: Schema.String,
        partitions: Schema.Array(PartitionSummary),
      }),
    },
  },
  errors: [UnknownPipeline, DatabaseError],
});

export const GET_PARTITION = route({
  method: "GET",
  path: "/partitions/:pipeline/:partition",
  operationId: "getPartition",
  summary: "A partition's state and run history, from its actor",
  tag: "runs",
  scope: "read",
  params: PartitionParams,
  responses: { 200: { description: "The partition's state.", schema: PartitionStatus } },
  errors: [UnknownPipeline, InvalidPartitionKey, PartitionNotFound],
});

const BackfillProgress = Schema.Struct({
  backfill_id: Schema.String,
  pipeline: Schema.String,
  start: Schema.String,
  end: Schema.String,
  params: StringMap,
  status: Schema.Literal("running", "complete", "failed"),
  concurrency: Schema.Number,
  total: Schema.Number,
  pending: Schema.Number,
  running: Schema.Number,
  retrying: Schema.Number,
  complete: Schema.Number,
  no_data_expected: Schema.Number,
  skipped: Schema.Number,
  failed: Schema.Number,
  failures: Schema.Array(Schema.Struct({ partition: Schema.String, error: RunError })),
  created_at: Schema.String,
  updated_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
}).annotations({ identifier: "BackfillProgress" });

export const START_BACKFILL = route({
  method: "POST",
  path: "/backfills",
  operationId: "startBackfill",
  summary: "Plan a date range and hand it to a new backfill coordinator",
  tag: "runs",
  scope: "write",
  body: {
    schema: Schema.Struct({
      ...RangeRequest,
      concurrency: optional(Schema.Int.pipe(Schema.between(1, MAX_BACKFILL_CONCURRENCY))),
    }),
    shape: '{"pipeline","start","end","params"?,"concurrency"?}',
  },
  responses: {
    202: {
      description: "Accepted: the coordinator runs the partitions a slice at a time.",
      schema: Schema.Struct({ backfill_id: Schema.String, partitions: Schema.Number }),
      headers: { Location: "`/backfills/<backfill_id>`" },
    },
  },
  errors: [UnknownPipeline, ...RANGE_ERRORS, BackfillUnavailable],
});

export const GET_BACKFILL = route({
  method: "GET",
  path: "/backfills/:id",
  operationId: "getBackfill",
  summary: "A backfill's progress",
  tag: "runs",
  scope: "read",
  params: Schema.Struct({ id: Text }),
  responses: { 200: { description: "The progress.", schema: BackfillProgress } },
  errors: [BackfillNotFound, BackfillUnavailable],
});

const Readiness = Schema.Struct({
  domain: Schema.String,
  stage: Schema.String,
  partition_key: Schema.String,
  week_ending: Schema.String,
  is_ready: Schema.Boolean,
  checked_at: Schema.String,
});

export const READINESS = route({
  method: "GET",
  path: "/readiness",
  operationId: "listReadiness",
  summary: "Which (domain, stage, partition) outputs are complete and usable as inputs",
  tag: "runs",
  scope: "read",
  query: Schema.Struct({
    domain: optional(Text),
    week_ending: optional(IsoDate),
    limit: Limit(5000, 500),
  }),
  responses: {
    200: {
      description: "Rows of `core_data_readiness`.",
      schema: Schema.Struct({
        domain: Schema.NullOr(Schema.String),
        week_ending: Schema.NullOr(Schema.String),
        ready: Schema.Number,
        not_ready: Schema.Number,
        readiness: Schema.Array(Readiness),
      }),
    },
  },
  errors: [DatabaseError],
});
