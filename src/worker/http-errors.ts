/**
 * HTTP errors: every failure leaves the Worker as JSON `{ "error": <stable tag>, "message" }`
 * with its status decided here, in one place.
 */
import { Schema } from "effect";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The request body or query is not what the route accepts. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", {
  message: Schema.String,
}) {}

/** Missing or wrong bearer token. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  message: Schema.String,
}) {}

/** The Worker has no `DATASPINE_API_TOKEN` secret, so mutating routes are closed. */
export class AuthNotConfigured extends Schema.TaggedError<AuthNotConfigured>()(
  "AuthNotConfigured",
  {
    message: Schema.String,
  },
) {}

/** The partition has never run. */
export class PartitionNotFound extends Schema.TaggedError<PartitionNotFound>()(
  "PartitionNotFound",
  {
    message: Schema.String,
  },
) {}

/** No dead letter has that id. */
export class DeadLetterNotFound extends Schema.TaggedError<DeadLetterNotFound>()(
  "DeadLetterNotFound",
  { message: Schema.String },
) {}

/** No anomaly has that id. */
export class AnomalyNotFound extends Schema.TaggedError<AnomalyNotFound>()("AnomalyNotFound", {
  message: Schema.String,
}) {}
/** No workflow run has that id. */
export class WorkflowRunNotFound extends Schema.TaggedError<WorkflowRunNotFound>()(
  "WorkflowRunNotFound",
  { message: Schema.String },
) {}

/** No route matches. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  message: Schema.String,
}) {}

const STATUS_BY_TAG: Readonly<Record<string, ContentfulStatusCode>> = {
  InvalidRequest: 400,
  InvalidPartitionKey: 400,
  InvalidBackfillRange: 400,
  InvalidBackfillParams: 400,
  BackfillNotSupported: 400,
  ReplayNotSupported: 400,
  InvalidWorkflowParams: 400,
  Unauthorized: 401,
  UnknownPipeline: 404,
  PartitionNotFound: 404,
  DeadLetterNotFound: 404,
  AnomalyNotFound: 404,
  BackfillNotFound: 404,
  RouteNotFound: 404,
  ReplayNotFound: 404,
  CaptureNotFound: 404,
  AmbiguousKey: 409,
  ReplayPartitionFailed: 502,
  UnknownWorkflow: 404,
  WorkflowRunNotFound: 404,
  DatabaseError: 503,
  AuthNotConfigured: 503,
  BackfillUnavailable: 503,
  ReplayUnavailable: 503,
};

/** Turns any thrown value into the JSON error response. Unknown failures are 500. */
export const errorResponse = (error: unknown, c: Context) => {
  const tag =
    typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
      ? error._tag
      : "InternalError";
  const status = STATUS_BY_TAG[tag] ?? 500;
  const message =
    status === 500 ? "internal error" : error instanceof Error ? error.message : String(error);
  if (status === 500)
    console.error(JSON.stringify({ level: "ERROR", message: "unhandled", cause: String(error) }));
  const headers =
    tag === "Unauthorized" ? { "WWW-Authenticate": 'Bearer realm="dataspine"' } : undefined;
  return c.json({ error: tag, message }, status, headers);
};
