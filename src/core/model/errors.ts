/**
 * Errors that cross a boundary (HTTP, Durable Object RPC, manifest, audit); each declares the
 * HTTP status it answers with.
 *
 * Source failures are split by what an operator can do about them: a transient error
 * (network, timeout, 408, 429, 5xx) is retried; a permanent one (other 4xx, an
 * undecodable payload) is not, and keeps the payload so nothing is lost.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";
import type { DatabaseError } from "../../db/errors";
import { TaggedHttpError } from "./tagged-http-error";

/** A source failed in a way that may succeed on a later attempt. */
export class TransientSourceError extends TaggedHttpError<TransientSourceError>()(
  "TransientSourceError",
  502,
  {
    source: Schema.String,
    url: Schema.String,
    reason: Schema.Literal("network", "timeout", "status"),
    status: Schema.optional(Schema.Number),
    retryAfterMs: Schema.optional(Schema.Number),
    /** Requests made before giving up (set by `retryRequest`). */
    attempts: Schema.optional(Schema.Number),
  },
) {}

/** A source failed in a way that retrying the same request cannot fix. */
export class PermanentSourceError extends Schema.TaggedError<PermanentSourceError>()(
  "PermanentSourceError",
  {
    source: Schema.String,
    url: Schema.String,
    reason: Schema.Literal("status", "decode"),
    status: Schema.optional(Schema.Number),
    message: Schema.String,
    /** The payload as received (truncated to 64 KiB), kept for the dead-letter record. */
    payload: Schema.optional(Schema.String),
  },
  HttpApiSchema.annotations({ status: 502 }),
) {}

/** The partition key does not have the shape the pipeline requires. */
export class InvalidPartitionKey extends TaggedHttpError<InvalidPartitionKey>()(
  "InvalidPartitionKey",
  400,
  { pipeline: Schema.String, partition: Schema.String },
) {}

/** No pipeline of that name is registered. */
export class UnknownPipeline extends TaggedHttpError<UnknownPipeline>()("UnknownPipeline", 404, {
  pipeline: Schema.String,
}) {}

/** The partition has never run. */
export class PartitionNotFound extends TaggedHttpError<PartitionNotFound>()(
  "PartitionNotFound",
  404,
) {}

/** Everything a pipeline run can fail with. */
export type PipelineError = TransientSourceError | PermanentSourceError | DatabaseError;

/** Whether retrying may help. */
export const isRetryable = (error: PipelineError): boolean =>
  error._tag === "TransientSourceError" || error._tag === "DatabaseError";

/** Keeps at most 64 KiB of a payload for error records. */
export const truncatePayload = (payload: string, limit = 65_536): string =>
  payload.length <= limit
    ? payload
    : `${payload.slice(0, limit)}…[truncated ${payload.length - limit} chars]`;
