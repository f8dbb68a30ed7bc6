/**
 * The database's own failure, owned here so every layer above (core, audit, domains) can
 * name it without the database layer depending on them.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";

/** The database could not be reached or refused a statement. */
export class DatabaseError extends Schema.TaggedError<DatabaseError>()(
  "DatabaseError",
  {
    operation: Schema.String,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 503 }),
) {}

/** A printable message for any failure cause. */
export const describeUnknown = (cause: unknown): string =>
  cause instanceof Error
    ? cause.message
    : typeof cause === "string"
      ? cause
      : JSON.stringify(cause);
