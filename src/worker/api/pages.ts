/**
 * The status page's routes (`GET /`, `/ui…`), described for the OpenAPI document: HTML
 * answers, sign-in through the `dataspine_token` cookie, forms that redirect back (303).
 * Their params, query and forms are read by the pages themselves (`routes/ui-*.tsx`); the
 * Schemas here describe them.
 */
import * as Schema from "effect/Schema";
import { InvalidPartitionKey, UnknownPipeline } from "../../core/model/errors";
import { DatabaseError } from "../../db/errors";
import { InvalidRequest } from "../http-errors";
import { route } from "./route";

const html = (description: string) => ({ description, contentType: "text/html" });
const redirect = (description: string, location: string) => ({
  description,
  headers: { Location: location },
});

const Notice = Schema.optional(
  Schema.Literal("retried", "retry_failed", "resolved").annotations({
    description: "Announce what an action just did (set by its redirect).",
  }),
);
const Back = Schema.Struct({
  back: Schema.optional(
    Schema.String.annotations({ description: "The `/ui…` page to return to." }),
  ),
});
const PAGE = {
  tag: "status page",
  kind: "page",
  description:
    "A signed-out browser is sent to the login form (303); with the header " +
    "`x-dataspine-fragment: 1` only the page's live region is answered (its refresh script).",
} as const;
const SIGN_IN = {
  303: redirect("Not signed in: to the login form.", "`/ui/login?next=<this page>`"),
};
const ACTED = {
  303: redirect("Done: back to the page (`?notice=`).", "the form's `back`"),
};

export const HOME = route({
  method: "GET",
  path: "/",
  operationId: "statusSummary",
  summary: "The public summary: per pipeline, partitions by status (counts only)",
  tag: "status page",
  kind: "page",
  scope: "public",
  responses: { 200: html("The summary page.") },
  errors: [DatabaseError],
});

export const UI_OVERVIEW = route({
  ...PAGE,
  method: "GET",
  path: "/ui",
  operationId: "uiOverview",
  summary: "Pipelines and what needs attention",
  scope: "read",
  responses: { 200: html("The overview."), ...SIGN_IN },
  errors: [DatabaseError],
});

const isoDay = (description: string) =>
  Schema.String.annotations({ jsonSchema: { type: "string", format: "date", description } });

export const UI_PIPELINE = route({
  ...PAGE,
  method: "GET",
  path: "/ui/pipelines/:pipeline",
  operationId: "uiPipeline",
  summary: "A pipeline's partition grid (dates × scopes), a window of days at a time",
  scope: "read",
  params: Schema.Struct({ pipeline: Schema.String }),
  query: Schema.Struct({
    days: Schema.optional(
      Schema.String.annotations({
        jsonSchema: { type: "integer", minimum: 1, maximum: 62, default: 14 },
      }),
    ),
    before: Schema.optional(isoDay("Show the days before this date (an older page).")),
    after: Schema.optional(isoDay("Show the days after this date (a newer page).")),
  }),
  responses: { 200: html("The grid."), ...SIGN_IN },
  errors: [UnknownPipeline, InvalidRequest, DatabaseError],
});

export const UI_PARTITION = route({
  ...PAGE,
  method: "GET",
  path: "/ui/partitions/:pipeline/:partition",
  operationId: "uiPartition",
  summary: "A partition: status, attempts, errors, runs, anomalies, quarantine, captures",
  scope: "read",
  params: Schema.Struct({ pipeline: Schema.String, partition: Schema.String }),
  query: Schema.Struct({ notice: Notice }),
  responses: { 200: html("The partition's page."), ...SIGN_IN },
  errors: [UnknownPipeline, InvalidPartitionKey, DatabaseError],
});

export const UI_ANOMALIES = route({
  ...PAGE,
  method: "GET",
  path: "/ui/anomalies",
  operationId: "uiAnomalies",
  summary: "Anomalies, filtered as `GET /anomalies` filters them",
  scope: "read",
  query: Schema.Struct({
    severity: Schema.optional(Schema.String),
    category: Schema.optional(Schema.String),
    rule: Schema.optional(Schema.String),
    pipeline: Schema.optional(Schema.String),
    unresolved: Schema.optional(Schema.Literal("true")),
    notice: Notice,
  }),
  responses: { 200: html("The anomalies."), ...SIGN_IN },
  errors: [InvalidRequest, DatabaseError],
});

export const UI_DEAD_LETTERS = route({
  ...PAGE,
  method: "GET",
  path: "/ui/dead-letters",
  operationId: "uiDeadLetters",
  summary: "Dead letters, with a retry button for the write token",
  scope: "read",
  query: Schema.Struct({
    status: Schema.optional(Schema.Literal("open", "retried")),
    notice: Notice,
  }),
  responses: { 200: html("The dead letters."), ...SIGN_IN },
  errors: [InvalidRequest, DatabaseError],
});

export const UI_OPERATIONS = route({
  ...PAGE,
  method: "GET",
  path: "/ui/operations",
  operationId: "uiOperations",
  summary: "Backfills and replays with their progress",
  scope: "read",
  responses: { 200: html("The operations."), ...SIGN_IN },
  errors: [DatabaseError],
});

export const UI_READINESS = route({
  ...PAGE,
  method: "GET",
  path: "/ui/readiness",
  operationId: "uiReadiness",
  summary: "Readiness of each (domain, stage, partition)",
  scope: "read",
  responses: { 200: html("The readiness table."), ...SIGN_IN },
  errors: [DatabaseError],
});

export const UI_LOGIN_FORM = route({
  ...PAGE,
  method: "GET",
  path: "/ui/login",
  operationId: "uiLoginForm",
  summary: "The sign-in form",
  scope: "public",
  query: Schema.Struct({ next: Schema.optional(Schema.String) }),
  responses: { 200: html("The form.") },
  errors: [],
});

export const UI_LOGIN = route({
  ...PAGE,
  method: "POST",
  path: "/ui/login",
  operationId: "uiLogin",
  summary: "Sign in: a read or write token becomes the `dataspine_token` cookie",
  description:
    "Same origin only (`Sec-Fetch-Site`, else `Origin`): another site's form is refused.",
  scope: "public",
  form: Schema.Struct({ token: Schema.String, next: Schema.optional(Schema.String) }),
  responses: {
    303: redirect("Signed in (cookie set): to `next`.", "`next`, a `/ui…` page"),
    401: html("Not a valid token: the form again."),
    403: html("Cross-origin sign-in refused."),
    503: html("No token is configured."),
  },
  errors: [],
});

export const UI_LOGOUT = route({
  ...PAGE,
  method: "POST",
  path: "/ui/logout",
  operationId: "uiLogout",
  summary: "Sign out (the cookie is deleted)",
  scope: "public",
  responses: {
    303: redirect("Signed out: to the summary.", "`/`"),
    403: html("Cross-origin request refused."),
  },
  errors: [],
});

export const UI_RESOLVE_ANOMALY = route({
  ...PAGE,
  method: "POST",
  path: "/ui/anomalies/:id/resolve",
  operationId: "uiResolveAnomaly",
  summary: "The resolve button of an anomaly",
  scope: "write",
  params: Schema.Struct({ id: Schema.String }),
  form: Back,
  responses: { ...ACTED, 404: html("No such anomaly.") },
  errors: [DatabaseError],
});

export const UI_RETRY_DEAD_LETTER = route({
  ...PAGE,
  method: "POST",
  path: "/ui/dead-letters/:id/retry",
  operationId: "uiRetryDeadLetter",
  summary: "The retry button of a dead letter",
  scope: "write",
  params: Schema.Struct({ id: Schema.String }),
  form: Back,
  responses: { ...ACTED, 404: html("No such dead letter.") },
  errors: [DatabaseError],
});
