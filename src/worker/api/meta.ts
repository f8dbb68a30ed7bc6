/**
 * Routes about the service itself: `GET /health` (is the database reachable?) and
 * `GET /openapi.json` (this API described). Both public: neither shows any data.
 */
import * as Schema from "effect/Schema";
import { route } from "./route";

const Health = Schema.Struct({
  status: Schema.Literal("ok"),
  database: Schema.Literal("ok"),
  checked_at: Schema.String,
}).annotations({ identifier: "Health" });

const Degraded = Schema.Struct({
  status: Schema.Literal("degraded"),
  database: Schema.Literal("unreachable"),
  message: Schema.String,
  checked_at: Schema.String,
}).annotations({ identifier: "HealthDegraded" });

export const HEALTH = route({
  method: "GET",
  path: "/health",
  operationId: "getHealth",
  summary: "Is the database reachable?",
  tag: "service",
  scope: "public",
  responses: {
    200: { description: "The database answered `select 1`.", schema: Health },
    503: { description: "The database did not answer.", schema: Degraded },
  },
  errors: [],
});

/** An OpenAPI document (checked by its own test against the OpenAPI 3.1 schema). */
const OpenApiDocument = Schema.Struct({
  openapi: Schema.String,
  info: Schema.Struct({
    title: Schema.String,
    version: Schema.String,
    description: Schema.optional(Schema.String),
  }),
  paths: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
})
  .pipe(Schema.extend(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
  .annotations({
    identifier: "OpenApiDocument",
    description: "An OpenAPI 3.1 document: https://spec.openapis.org/oas/v3.1.0",
  });

export const OPENAPI = route({
  method: "GET",
  path: "/openapi.json",
  operationId: "getOpenApi",
  summary: "This API as an OpenAPI 3.1 document",
  description:
    "Generated from the Effect Schemas the routes decode and answer with. Public: it " +
    "describes the routes, their inputs and answers, never any data.",
  tag: "service",
  scope: "public",
  responses: { 200: { description: "The document.", schema: OpenApiDocument } },
  errors: [],
});
