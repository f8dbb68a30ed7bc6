/**
 * The OpenAPI 3.1 document of the app (`GET /openapi.json`), built from the route table:
 * each route's Schemas become JSON Schemas (effect's `JSONSchema`, OpenAPI 3.1 target; named
 * Schemas are shared under `components/schemas`), each tagged error class it may fail with
 * becomes an error answer with the status the class declares, and its scope becomes a
 * security requirement (the bearer token or the `dataspine_token` cookie).
 */
import * as JSONSchema from "effect/JSONSchema";
import * as Schema from "effect/Schema";
import { declaredStatus } from "../../core/model/tagged-http-error";
import {
  AuthNotConfigured,
  Forbidden,
  InvalidRequest,
  PayloadTooLarge,
  Unauthorized,
} from "../http-errors";
import { type ErrorClass, openApiPath, type RouteSpec } from "./route";
import { ROUTES } from "./table";

/** The API's version: the package's (a test keeps them equal). */
export const API_VERSION = "0.1.0";

type Json = Readonly<Record<string, unknown>>;

const REF = "#/components/schemas/";

/** The body of every error answer (`http-errors.ts`): the class's tag and a message. */
const errorBody = (tag: string) =>
  Schema.Struct({ error: Schema.Literal(tag), message: Schema.String }).annotations({
    identifier: tag,
  });

/** Not a class: what anything undeclared answers (the cause goes to the log). */
const InternalError = Schema.Struct({
  error: Schema.Literal("InternalError"),
  message: Schema.Literal("internal error"),
}).annotations({ identifier: "InternalError" });

/** The errors of the HTTP boundary itself, by what the route takes and needs. */
const boundaryErrors = (spec: RouteSpec): ReadonlyArray<ErrorClass> => [
  ...(spec.kind !== "page" && (spec.params || spec.query || spec.body) ? [InvalidRequest] : []),
  ...(spec.body ? [PayloadTooLarge] : []),
  ...(spec.scope === "public" ? [] : [Unauthorized, AuthNotConfigured]),
  ...(spec.scope === "write" ? [Forbidden] : []),
];

/**
 * Without effect's `$id` markers (`/schemas/unknown`, …): one document holds many, and a
 * JSON Schema resource may not repeat an `$id`. Their default titles ("unknown") go too.
 */
const bare = (json: unknown): unknown => {
  if (Array.isArray(json)) return json.map(bare);
  if (typeof json !== "object" || json === null) return json;
  const { $id, ...rest } = json as Record<string, unknown>;
  const marker = typeof $id === "string" && $id.startsWith("/schemas/");
  const name = marker ? decodeURIComponent($id.slice("/schemas/".length)) : undefined;
  return Object.fromEntries(
    Object.entries(marker ? rest : (json as Record<string, unknown>))
      .filter(([key, value]) => !(key === "title" && value === name))
      .map(([key, value]) => [key, bare(value)]),
  );
};

/** JSON Schemas of Schemas, sharing one `components/schemas`. */
class SchemaSet {
  readonly #definitions: Record<string, JSONSchema.JsonSchema7> = {};
  of(schema: Schema.Schema.AnyNoContext, additional: "allow" | "strict"): JSONSchema.JsonSchema7 {
    const json = JSONSchema.fromAST(schema.ast, {
      definitions: this.#definitions,
      definitionPath: REF,
      target: "openApi3.1",
      additionalPropertiesStrategy: additional,
    });
    return bare(json) as JSONSchema.JsonSchema7;
  }
  get definitions() {
    return bare(this.#definitions) as Record<string, JSONSchema.JsonSchema7>;
  }
}

const statusOfClass = (errorClass: ErrorClass): number => declaredStatus(errorClass) ?? 500;

/** `params`/`query` Schemas as OpenAPI parameters, one per property. */
const parameters = (
  schemas: SchemaSet,
  schema: Schema.Schema.AnyNoContext | undefined,
  where: "path" | "query",
) => {
  if (!schema) return [];
  const object = schemas.of(schema, "allow") as {
    readonly properties?: Readonly<Record<string, Json>>;
    readonly required?: ReadonlyArray<string>;
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || (object.required ?? []).includes(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
};

const headersOf = (headers: Readonly<Record<string, string>>) =>
  Object.keys(headers).length > 0
    ? {
        headers: Object.fromEntries(
          Object.entries(headers).map(([name, description]) => [
            name,
            { description, schema: { type: "string" } },
          ]),
        ),
      }
    : {};

/** One status's JSON answer: the declared body and/or the error bodies of that status. */
const jsonContent = (bodies: ReadonlyArray<JSONSchema.JsonSchema7>) => ({
  "application/json": { schema: bodies.length === 1 ? bodies[0] : { oneOf: bodies } },
});

const responses = (schemas: SchemaSet, spec: RouteSpec) => {
  const errors = [...boundaryErrors(spec), ...spec.errors];
  const statuses = new Set<number>([
    ...Object.keys(spec.responses).map(Number),
    ...errors.map(statusOfClass),
    500,
  ]);
  const out: Record<string, Json> = {};
  for (const status of [...statuses].sort((a, b) => a - b)) {
    const declared = spec.responses[status];
    const tags = errors.filter((e) => statusOfClass(e) === status).map((e) => e._tag);
    if (status === 500) tags.push("InternalError");
    const refusal =
      status === 500
        ? "Anything undeclared; the cause goes to the log."
        : tags.length > 0
          ? `Refused: ${tags.join(", ")}.`
          : "";
    const description = [declared?.description, refusal].filter(Boolean).join(" ");
    const headers = headersOf({
      ...declared?.headers,
      ...(tags.includes("Unauthorized") && spec.kind !== "page"
        ? { "WWW-Authenticate": '`Bearer realm="dataspine"`' }
        : {}),
    });
    if (spec.kind === "page") {
      const html = declared?.contentType ?? (tags.length > 0 ? "text/html" : undefined);
      out[status] = { description, ...headers, ...(html ? { content: { [html]: {} } } : {}) };
      continue;
    }
    const bodies = [
      ...(declared?.schema ? [schemas.of(declared.schema, "strict")] : []),
      ...tags.map((tag) =>
        schemas.of(tag === "InternalError" ? InternalError : errorBody(tag), "strict"),
      ),
    ];
    const content = declared?.contentType
      ? { content: { [declared.contentType]: {} } }
      : bodies.length > 0
        ? { content: jsonContent(bodies) }
        : {};
    out[status] = { description, ...headers, ...content };
  }
  return out;
};

/** Public routes need nothing; others the bearer token or the cookie, with the scope. */
const security = (spec: RouteSpec) =>
  spec.scope === "public" ? [] : [{ bearer: [spec.scope] }, { cookie: [spec.scope] }];

const operation = (schemas: SchemaSet, spec: RouteSpec) => {
  const params = [
    ...parameters(schemas, spec.params, "path"),
    ...parameters(schemas, spec.query, "query"),
  ];
  const body = spec.body
    ? { "application/json": { schema: schemas.of(spec.body.schema, "allow") } }
    : spec.form
      ? { "application/x-www-form-urlencoded": { schema: schemas.of(spec.form, "allow") } }
      : undefined;
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: body } } : {}),
    responses: responses(schemas, spec),
    security: security(spec),
    "x-dataspine-scope": spec.scope,
  };
};

const DESCRIPTION =
  "Data operations spine: run partitions of registered pipelines, backfill and replay date " +
  "ranges, read partitions, anomalies, alerts, dead letters, workflows and readiness. Every " +
  'failure is JSON `{"error": <tag>, "message": <text>}` with the status its tag declares. ' +
  "Reads need the read or write token, everything else the write token " +
  "(`DATASPINE_PUBLIC_READS=true` opens the reads on a private network).";

/** Builds the document of `routes` (default: the app's table). */
export const buildOpenApi = (routes: ReadonlyArray<RouteSpec> = ROUTES) => {
  const schemas = new SchemaSet();
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of routes) {
    const path = openApiPath(spec.path);
    const method = spec.method.toLowerCase();
    paths[path] ??= {};
    if (paths[path][method]) throw new Error(`${spec.method} ${spec.path} is declared twice`);
    paths[path][method] = operation(schemas, spec);
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info: { title: "dataspine", version: API_VERSION, description: DESCRIPTION },
    tags,
    paths,
    components: {
      schemas: schemas.definitions,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "`DATASPINE_API_TOKEN` (write, and read) or `DATASPINE_READ_TOKEN` (read only).",
        },
        cookie: {
          type: "apiKey",
          in: "cookie",
          name: "dataspine_token",
          description:
            "The same tokens as a browser session (`POST /ui/login`), used when no " +
            "`Authorization` header is sent; a mutating request with it must be same-origin.",
        },
      },
    },
  };
};

export type OpenApiDocument = ReturnType<typeof buildOpenApi>;

let built: OpenApiDocument | undefined;

/** The app's document, built once per isolate. */
export const openApiDocument = (): OpenApiDocument => {
  built ??= buildOpenApi();
  return built;
};
