/**
 * Errors of the detectors. A config reaches a detector from a pipeline, an operator setting
 * or an HTTP request, so a bad one is a `Schema.TaggedError` naming the detector and field.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";

/** A detector config outside what the detector accepts (unknown key, wrong type, range). */
export class InvalidDetectorConfig extends Schema.TaggedError<InvalidDetectorConfig>()(
  "InvalidDetectorConfig",
  { detector: Schema.String, field: Schema.String, message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** The first issue of a config that failed to decode, as `InvalidDetectorConfig`. */
export const invalidConfig = (
  detector: string,
  error: ParseResult.ParseError,
): InvalidDetectorConfig => {
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(error);
  const field = issue?.path.map(String).join(".") ?? "";
  const problem = issue?.message ?? error.message;
  return new InvalidDetectorConfig({
    detector,
    field,
    message: `${detector} config${field === "" ? "" : ` ${field}`}: ${problem}`,
  });
};
