/**
 * Errors of replays and reconciliation. They cross HTTP, the CLI and Durable Object RPC, so
 * each is a `Schema.TaggedError` whose tag is the stable error code and whose annotation is
 * the HTTP status.
 */
import * as Schema from "effect/Schema";
import { TaggedHttpError } from "../core/model/tagged-http-error";

/** The pipeline has no replay mode. */
export class ReplayNotSupported extends TaggedHttpError<ReplayNotSupported>()(
  "ReplayNotSupported",
  400,
  { pipeline: Schema.String },
) {}

/** A partition of a replay could not be recomputed (its source failed). */
export class ReplayPartitionFailed extends TaggedHttpError<ReplayPartitionFailed>()(
  "ReplayPartitionFailed",
  502,
  { partition: Schema.String, tag: Schema.String, retryable: Schema.Boolean },
) {}

/** No replay has that id. */
export class ReplayNotFound extends TaggedHttpError<ReplayNotFound>()("ReplayNotFound", 404, {
  replay_id: Schema.String,
}) {}

/** The replay's coordinator could not be reached or failed to answer. */
export class ReplayUnavailable extends TaggedHttpError<ReplayUnavailable>()(
  "ReplayUnavailable",
  503,
  { replay_id: Schema.String },
) {}

/** The capture is unknown, or is not a capture of that partition. */
export class CaptureNotFound extends TaggedHttpError<CaptureNotFound>()("CaptureNotFound", 404, {
  capture_id: Schema.String,
}) {}

/** A batch holds two records with one key, so a keyed comparison would be ambiguous. */
export class AmbiguousKey extends TaggedHttpError<AmbiguousKey>()("AmbiguousKey", 409) {}
