/**
 * Replays and diffs: `POST /replays`, `GET /replays/:id`, `GET /replays/:id/output` (the
 * canonical JSONL) and `GET /partitions/:pipeline/:partition/diff` (stored rows against a
 * replay of the source now; read-only, but it fetches the source with the operator's key, so
 * it needs the write scope).
 */
import * as Schema from "effect/Schema";
import {
  InvalidPartitionKey,
  PartitionNotFound,
  PermanentSourceError,
  TransientSourceError,
  UnknownPipeline,
} from "../../core/model/errors";
import { DatabaseError } from "../../db/errors";
import {
  AmbiguousKey,
  CaptureNotFound,
  ReplayNotFound,
  ReplayNotSupported,
  ReplayPartitionFailed,
  ReplayUnavailable,
} from "../../reconciliation/errors";
import { optional, Text } from "../request-schemas";
import { route } from "./route";
import { PartitionParams, RANGE_ERRORS, RangeRequest } from "./runs";

const StringMap = Schema.Record({ key: Schema.String, value: Schema.String });
const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown });
const Counts = { added: Schema.Number, removed: Schema.Number, modified: Schema.Number };

const ReplayView = Schema.Struct({
  replay_id: Schema.String,
  status: Schema.Literal("running", "complete", "failed"),
  pipeline: Schema.String,
  start: Schema.String,
  end: Schema.String,
  params: StringMap,
  partitions: Schema.Number,
  replayed: Schema.Number,
  records: Schema.Number,
  sha256: Schema.NullOr(Schema.String),
  duration_ms: Schema.NullOr(Schema.Number),
  created_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
  failures: Schema.Array(
    Schema.Struct({
      partition: Schema.String,
      error: Schema.NullOr(Schema.Struct({ tag: Schema.String, message: Schema.String })),
    }),
  ),
  reconciliation: Schema.NullOr(
    Schema.Struct({
      partitions: Schema.Number,
      clean: Schema.Number,
      not_captured: Schema.Number,
      mismatched: Schema.Array(
        Schema.Struct({
          partition: Schema.String,
          clean: Schema.Boolean,
          capture_id: Schema.NullOr(Schema.String),
          ...Counts,
        }),
      ),
    }),
  ),
  by_partition: Schema.Array(
    Schema.Struct({
      partition: Schema.String,
      status: Schema.Literal("done", "failed"),
      records: Schema.Number,
      sha256: Schema.NullOr(Schema.String),
      capture_id: Schema.NullOr(Schema.String),
      matches_capture: Schema.NullOr(Schema.Boolean),
    }),
  ),
}).annotations({ identifier: "Replay" });

export const START_REPLAY = route({
  method: "POST",
  path: "/replays",
  operationId: "startReplay",
  summary: "Replay a date range from its source and reconcile it with the stored rows",
  tag: "replays",
  scope: "write",
  body: {
    schema: Schema.Struct({
      ...RangeRequest,
      /** Reconcile each partition with its stored rows (default true). */
      reconcile: optional(Schema.Boolean),
    }),
    shape: '{"pipeline","start","end","params"?,"reconcile"?}',
  },
  responses: {
    202: {
      description: "Accepted: a replay coordinator replays a partition per alarm.",
      schema: Schema.Struct({ replay_id: Schema.String, partitions: Schema.Number }),
      headers: { Location: "`/replays/<replay_id>`" },
    },
  },
  errors: [UnknownPipeline, ReplayNotSupported, ...RANGE_ERRORS, ReplayUnavailable],
});

const ReplayId = Schema.Struct({ id: Text });

export const GET_REPLAY = route({
  method: "GET",
  path: "/replays/:id",
  operationId: "getReplay",
  summary: "A replay's state: summary, failures, reconciliation, partitions so far",
  tag: "replays",
  scope: "read",
  params: ReplayId,
  responses: { 200: { description: "The replay.", schema: ReplayView } },
  errors: [ReplayNotFound, ReplayUnavailable],
});

export const REPLAY_OUTPUT = route({
  method: "GET",
  path: "/replays/:id/output",
  operationId: "getReplayOutput",
  summary: "A replay's canonical JSONL, streamed a partition at a time",
  tag: "replays",
  scope: "read",
  params: ReplayId,
  responses: {
    200: {
      description: "One canonical record per line, in plan order.",
      contentType: "application/x-ndjson",
      headers: {
        "x-replay-status": "running, complete or failed",
        "x-replay-sha256": "the output's SHA-256, once the replay is complete",
      },
    },
  },
  errors: [ReplayNotFound, ReplayUnavailable],
});

const Side = Schema.Struct({ records: Schema.Number, sha256: Schema.String });

const PartitionDiff = Schema.Struct({
  pipeline: Schema.String,
  partition: Schema.String,
  against: Schema.Struct({
    capture_id: Schema.String,
    captured_at: Schema.String,
    status: Schema.String,
    output_sha256: Schema.NullOr(Schema.String),
    last_replay: Schema.Unknown,
  }),
  stored: Side,
  replay: Side,
  clean: Schema.Boolean,
  stored_matches_capture: Schema.NullOr(Schema.Boolean),
  replay_matches_capture: Schema.NullOr(Schema.Boolean),
  added: Schema.Array(JsonObject),
  removed: Schema.Array(JsonObject),
  modified: Schema.Array(
    Schema.Struct({
      key: JsonObject,
      diffs: Schema.Record({
        key: Schema.String,
        value: Schema.Struct({ old: Schema.Unknown, new: Schema.Unknown }),
      }),
    }),
  ),
  summary: Schema.Struct({
    old: Schema.Number,
    new: Schema.Number,
    ...Counts,
    unchanged: Schema.Number,
  }),
}).annotations({ identifier: "PartitionDiff" });

export const DIFF_PARTITION = route({
  method: "GET",
  path: "/partitions/:pipeline/:partition/diff",
  operationId: "diffPartition",
  summary: "A partition's stored rows against a replay of its source now",
  description:
    "Checked against one capture (the latest unless `against` names one). Read-only, but it " +
    "fetches the source with the operator's key, so it needs the write scope.",
  tag: "replays",
  scope: "write",
  params: PartitionParams,
  query: Schema.Struct({ against: optional(Text) }),
  responses: { 200: { description: "The diff.", schema: PartitionDiff } },
  errors: [
    UnknownPipeline,
    InvalidPartitionKey,
    ReplayNotSupported,
    PartitionNotFound,
    CaptureNotFound,
    AmbiguousKey,
    ReplayPartitionFailed,
    TransientSourceError,
    PermanentSourceError,
    DatabaseError,
  ],
});
