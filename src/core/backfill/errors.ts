/**
 * Errors of backfills: they cross HTTP, the CLI and Durable Object RPC, so all are
 * `Schema.TaggedError`s whose tag is the stable error code and whose annotation is the HTTP
 * status (`TaggedHttpError`; `statusOf` reads it back).
 */
import * as Schema from "effect/Schema";
import { TaggedHttpError } from "../model/tagged-http-error";

/** The date range is malformed, reversed or longer than a backfill may be. */
export class InvalidBackfillRange extends TaggedHttpError<InvalidBackfillRange>()(
  "InvalidBackfillRange",
  400,
  { start: Schema.String, end: Schema.String },
) {}

/** The pipeline refused the backfill parameters (missing, unknown or invalid ones). */
export class InvalidBackfillParams extends TaggedHttpError<InvalidBackfillParams>()(
  "InvalidBackfillParams",
  400,
  { pipeline: Schema.String },
) {}

/** The pipeline cannot enumerate the partitions of a date range. */
export class BackfillNotSupported extends TaggedHttpError<BackfillNotSupported>()(
  "BackfillNotSupported",
  400,
  { pipeline: Schema.String },
) {}

/** No backfill has that id. */
export class BackfillNotFound extends TaggedHttpError<BackfillNotFound>()("BackfillNotFound", 404, {
  backfill_id: Schema.String,
}) {}

/** The backfill's coordinator could not be reached or failed to answer. */
export class BackfillUnavailable extends TaggedHttpError<BackfillUnavailable>()(
  "BackfillUnavailable",
  503,
  { backfill_id: Schema.String },
) {}
