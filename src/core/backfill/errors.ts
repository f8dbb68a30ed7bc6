/**
 * Errors of backfills: they cross HTTP, the CLI and Durable Object RPC, so all are
 * `Schema.TaggedError`s whose tag is the stable error code and whose annotation is the HTTP
 * status (read by `worker/http-errors.ts`).
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";

/** The date range is malformed, reversed or longer than a backfill may be. */
export class InvalidBackfillRange extends Schema.TaggedError<InvalidBackfillRange>()(
  "InvalidBackfillRange",
  { start: Schema.String, end: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** The pipeline refused the backfill parameters (missing, unknown or invalid ones). */
export class InvalidBackfillParams extends Schema.TaggedError<InvalidBackfillParams>()(
  "InvalidBackfillParams",
  { pipeline: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** The pipeline cannot enumerate the partitions of a date range. */
export class BackfillNotSupported extends Schema.TaggedError<BackfillNotSupported>()(
  "BackfillNotSupported",
  { pipeline: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** No backfill has that id. */
export class BackfillNotFound extends Schema.TaggedError<BackfillNotFound>()(
  "BackfillNotFound",
  {
    backfill_id: Schema.String,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** The backfill's coordinator could not be reached or failed to answer. */
export class BackfillUnavailable extends Schema.TaggedError<BackfillUnavailable>()(
  "BackfillUnavailable",
  { backfill_id: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 503 }),
) {}
