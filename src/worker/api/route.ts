/**
 * One declaration per route: method, path, the scope it needs, the Schemas of its params,
 * query and body, its answers and the tagged errors it may fail with. The Hono app registers
 * routes from these (`register.ts`), `GET /openapi.json` is built from them (`openapi.ts`),
 * and the script client (`client.ts`) calls them, so the three cannot drift apart.
 */
import type * as Schema from "effect/Schema";

export type Method = "GET" | "POST";

/** `public`: no token; `read`: the read or write token; `write`: the write token. */
export type RouteScope = "public" | "read" | "write";

/** A `Schema.TaggedError` class with its HTTP status annotation (`http-errors.ts`). */
export interface ErrorClass<E = unknown> {
  readonly _tag: string;
  readonly ast: Schema.Schema.AnyNoContext["ast"];
  new (...args: never[]): E;
}

/** One answer of a route: a JSON body (`schema`), another content type, or none (redirect). */
export interface ResponseSpec {
  readonly description: string;
  /** The JSON body, as encoded on the wire. */
  readonly schema?: Schema.Schema.AnyNoContext;
  /** The content type of a body that is not JSON (`text/html`, `application/x-ndjson`). */
  readonly contentType?: string;
  /** Response headers worth knowing: name → description. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteSpec {
  readonly method: Method;
  /** Hono's syntax (`/partitions/:pipeline/:partition`). */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  /** The group the document lists it under. */
  readonly tag: string;
  readonly scope: RouteScope;
  /**
   * `page`: the status page (`/`, `/ui…`): HTML answers, refusals as pages or a redirect to
   * the login form, and params/query described here but read by the page itself.
   */
  readonly kind?: "api" | "page";
  readonly params?: Schema.Schema.AnyNoContext;
  readonly query?: Schema.Schema.AnyNoContext;
  /** The JSON body and its shape for refusals (`body must be {"pipeline",…}: …`). */
  readonly body?: { readonly schema: Schema.Schema.AnyNoContext; readonly shape: string };
  /** A form body (`application/x-www-form-urlencoded`) a status page reads itself. */
  readonly form?: Schema.Schema.AnyNoContext;
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * What the route itself may fail with (besides the boundary's own errors: a bad request,
   * a token, a body too large, an internal error). Their statuses come from the classes.
   */
  readonly errors: ReadonlyArray<ErrorClass>;
}

/** Declares a route (keeps its literal types for handlers and the client). */
export const route = <const S extends RouteSpec>(spec: S): S => spec;

type Decoded<S, K extends string> = S extends {
  readonly [P in K]: infer X extends Schema.Schema.AnyNoContext;
}
  ? Schema.Schema.Type<X>
  : undefined;

/** What a handler gets: the decoded params, query and body (undefined where none). */
export interface Input<S extends RouteSpec> {
  readonly params: Decoded<S, "params">;
  readonly query: Decoded<S, "query">;
  readonly body: S extends { readonly body: { readonly schema: infer B } }
    ? Decoded<{ b: B }, "b">
    : undefined;
}

/** The JSON answers of a route: one per status that declares a schema. */
export type JsonAnswer<S extends RouteSpec> = {
  [K in keyof S["responses"] & number]: S["responses"][K] extends {
    readonly schema: infer B extends Schema.Schema.AnyNoContext;
  }
    ? {
        readonly status: K;
        readonly body: Schema.Schema.Encoded<B>;
        readonly headers?: Readonly<Record<string, string>>;
      }
    : never;
}[keyof S["responses"] & number];

type InstanceOf<C> = C extends ErrorClass<infer E> ? E : never;

/** The instances of the errors a route declares. */
export type ErrorsOf<S extends RouteSpec> = InstanceOf<S["errors"][number]>;

/** Hono's `:param` path as OpenAPI's `{param}`. */
export const openApiPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
