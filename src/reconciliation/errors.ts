/**
 * Errors of replays and reconciliation. They cross HTTP, the CLI and Durable Object RPC, so
 * each is a `Schema.TaggedError` whose tag is the stable error code and whose annotation is
 * the HTTP status.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";

/** The pipeline has no replay mode. */
export class ReplayNotSupported extends Schema.TaggedError<ReplayNotSupported>()(
  "ReplayNotSupported",
  { pipeline: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** A partition of a replay could not be recomputed (its source failed). */
export class ReplayPartitionFailed extends Schema.TaggedError<ReplayPartitionFailed>()(
  "ReplayPartitionFailed",
  {
    partition: Schema.String,
    tag: Schema.String,
    retryable: Schema.Boolean,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 502 }),
) {}

/** No replay has that id. */
export class ReplayNotFound extends Schema.TaggedError<ReplayNotFound>()(
  "ReplayNotFound",
  {
    replay_id: Schema.String,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** The replay's coordinator could not be reached or failed to answer. */
export class ReplayUnavailable extends Schema.TaggedError<ReplayUnavailable>()(
  "ReplayUnavailable",
  { replay_id: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 503 }),
) {}

/** The capture is unknown, or is not a capture of that partition. */
export class CaptureNotFound extends Schema.TaggedError<CaptureNotFound>()(
  "CaptureNotFound",
  {
    capture_id: Schema.String,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** A batch holds two records with one key, so a keyed comparison would be ambiguous. */
export class AmbiguousKey extends Schema.TaggedError<AmbiguousKey>()(
  "AmbiguousKey",
  {
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 409 }),
) {}
