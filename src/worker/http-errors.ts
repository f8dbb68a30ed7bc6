/**
 * HTTP errors: every failure leaves the Worker as JSON `{ "error": <stable tag>, "message" }`.
 * Each `Schema.TaggedError` that can reach HTTP carries its status as an annotation
 * (`HttpApiSchema.annotations({ status })`); `statusOf` reads it from the error's class, so
 * a new error needs no edit here (and a test fails when an exported one has no status).
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { boundMessage } from "./limits";

export { PartitionNotFound } from "../core/model/errors";

/** The request body, query or path is not what the route accepts. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()(
  "InvalidRequest",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 400 }),
) {}

/** Missing or wrong token. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()(
  "Unauthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401 }),
) {}

/** A valid token without the scope the route needs, or a cross-site request with a cookie. */
export class Forbidden extends Schema.TaggedError<Forbidden>()(
  "Forbidden",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403 }),
) {}

/** The request body is larger than `DATASPINE_MAX_BODY_BYTES`. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 413 }),
) {}

/** The Worker has no `DATASPINE_API_TOKEN` secret, so protected routes are closed. */
export class AuthNotConfigured extends Schema.TaggedError<AuthNotConfigured>()(
  "AuthNotConfigured",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503 }),
) {}

/** No dead letter has that id. */
export class DeadLetterNotFound extends Schema.TaggedError<DeadLetterNotFound>()(
  "DeadLetterNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** No anomaly has that id. */
export class AnomalyNotFound extends Schema.TaggedError<AnomalyNotFound>()(
  "AnomalyNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** No workflow run has that id. */
export class WorkflowRunNotFound extends Schema.TaggedError<WorkflowRunNotFound>()(
  "WorkflowRunNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/** No route matches. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()(
  "RouteNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404 }),
) {}

/**
 * A failure that crossed a Durable Object RPC as `{ tag, message, status }`: it answers with
 * the original tag and the status its class declared on the other side.
 */
export class RemoteFailure extends Error {
  readonly _tag: string;
  readonly status: number;
  constructor(failure: {
    readonly tag: string;
    readonly message: string;
    readonly status: number;
  }) {
    super(failure.message);
    this._tag = failure.tag;
    this.status = failure.status;
  }
}

/** The HTTP status a tagged error class declares, if any. */
export const declaredStatus = (errorClass: unknown): number | undefined => {
  const ast = (errorClass as { readonly ast?: Schema.Schema.Any["ast"] } | null)?.ast;
  const status = ast ? HttpApiSchema.getStatus(ast, 0) : 0;
  return status > 0 ? status : undefined;
};

/** The HTTP status of a thrown value: its class's annotation; 500 when it declares none. */
export const statusOf = (error: unknown): number => {
  if (error instanceof RemoteFailure) return error.status;
  if (typeof error !== "object" || error === null) return 500;
  return declaredStatus(error.constructor) ?? 500;
};

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error && typeof error._tag === "string"
    ? error._tag
    : "InternalError";

/** Turns any thrown value into the JSON error response. Unknown failures are 500. */
export const errorResponse = (error: unknown, c: Context) => {
  // Hono's own middleware (bearer auth) throws responses we already shaped.
  if (error instanceof HTTPException) {
    return error.res ?? c.json({ error: "HttpError", message: error.message }, error.status);
  }
  const status = statusOf(error) as ContentfulStatusCode;
  const tag = status === 500 ? "InternalError" : tagOf(error);
  if (status === 500) {
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "unhandled",
        tag: tagOf(error),
        cause: String(error),
      }),
    );
  }
  const message =
    status === 500
      ? "internal error"
      : boundMessage(error instanceof Error ? error.message : String(error));
  const headers =
    tag === "Unauthorized" ? { "WWW-Authenticate": 'Bearer realm="dataspine"' } : undefined;
  return c.json({ error: tag, message }, status, headers);
};
