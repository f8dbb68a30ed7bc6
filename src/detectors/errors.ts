/**
 * Errors of the detectors. A config reaches a detector from a pipeline, an operator setting
 * or an HTTP request, so a bad one is a `Schema.TaggedError` naming the detector and field.
 */
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import { TaggedHttpError } from "../core/model/tagged-http-error";

/** A detector config outside what the detector accepts (unknown key, wrong type, range). */
export class InvalidDetectorConfig extends TaggedHttpError<InvalidDetectorConfig>()(
  "InvalidDetectorConfig",
  400,
  { detector: Schema.String, field: Schema.String },
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
