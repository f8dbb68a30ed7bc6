/**
 * HTTP errors: every failure leaves the Worker as JSON `{ "error": <stable tag>, "message" }`.
 * Each `Schema.TaggedError` that can reach HTTP carries its status as an annotation
 * (`TaggedHttpError`, `core/model/tagged-http-error.ts`); `statusOf` reads it from the error's
 * class, so a new error needs no edit here (and a test fails when an exported one has no
 * status). The boundary's own errors are declared here.
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { statusOf, TaggedHttpError } from "../core/model/tagged-http-error";
import { boundMessage } from "./limits";

export { PartitionNotFound } from "../core/model/errors";

/** The request body, query or path is not what the route accepts. */
export class InvalidRequest extends TaggedHttpError<InvalidRequest>()("InvalidRequest", 400) {}

/** Missing or wrong token. */
export class Unauthorized extends TaggedHttpError<Unauthorized>()("Unauthorized", 401) {}

/** A valid token without the scope the route needs, or a cross-site request with a cookie. */
export class Forbidden extends TaggedHttpError<Forbidden>()("Forbidden", 403) {}

/** The request body is larger than `DATASPINE_MAX_BODY_BYTES`. */
export class PayloadTooLarge extends TaggedHttpError<PayloadTooLarge>()("PayloadTooLarge", 413) {}

/** The Worker has no `DATASPINE_API_TOKEN` secret, so protected routes are closed. */
export class AuthNotConfigured extends TaggedHttpError<AuthNotConfigured>()(
  "AuthNotConfigured",
  503,
) {}

/** No dead letter has that id. */
export class DeadLetterNotFound extends TaggedHttpError<DeadLetterNotFound>()(
  "DeadLetterNotFound",
  404,
) {}

/** No anomaly has that id. */
export class AnomalyNotFound extends TaggedHttpError<AnomalyNotFound>()("AnomalyNotFound", 404) {}

/** No workflow run has that id. */
export class WorkflowRunNotFound extends TaggedHttpError<WorkflowRunNotFound>()(
  "WorkflowRunNotFound",
  404,
) {}

/** No route matches. */
export class RouteNotFound extends TaggedHttpError<RouteNotFound>()("RouteNotFound", 404) {}

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
