/**
 * Registers a declared route (`route.ts`) on a Hono group: its own scope check when it needs
 * more than the app's guard demands of its method (`auth.ts`: read for GET, write otherwise),
 * its params, query and body decoded by the declared Schemas, and its JSON answers typed by
 * the declared answer Schemas. Handlers run
 * effects through `run`, which only accepts the errors the route declares.
 */
import type * as Effect from "effect/Effect";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env";
import { requireScope } from "../auth";
import { type App, routes, runEffect } from "../hono-effect";
import type { WorkerServices } from "../runtime";
import { decodeJsonBody, decodeOrThrow, queryOf } from "../validate";
import type { ErrorsOf, Input, JsonAnswer, RouteSpec } from "./route";

/** What a handler may use besides its input. */
export interface Tools<S extends RouteSpec> {
  /** Runs an effect on the request's services; its failure must be a declared error. */
  readonly run: <A, E extends ErrorsOf<S>>(
    effect: Effect.Effect<A, E, WorkerServices>,
  ) => Promise<A>;
  /** Fails the request with one of the declared errors. */
  readonly fail: (error: ErrorsOf<S>) => never;
}

export type Handler<S extends RouteSpec> = (
  c: Context<{ Bindings: AppEnv }>,
  input: Input<S>,
  tools: Tools<S>,
) => Promise<JsonAnswer<S> | RawAnswer>;

/** An answer built by hand (a stream, another content type), sent as it is. */
export interface RawAnswer {
  readonly response: Response;
}

const decodeInput = async <S extends RouteSpec>(
  spec: S,
  c: Context<{ Bindings: AppEnv }>,
): Promise<Input<S>> => {
  const params = spec.params ? decodeOrThrow(spec.params, c.req.param()) : undefined;
  const query = spec.query ? decodeOrThrow(spec.query, queryOf(c)) : undefined;
  const body = spec.body ? await decodeJsonBody(c, spec.body.schema, spec.body.shape) : undefined;
  return { params, query, body } as Input<S>;
};

/** A declared route with its handler, ready to be added to a group (`mount`). */
export interface Implemented {
  readonly spec: RouteSpec;
  readonly addTo: (app: App) => void;
}

/**
 * Implements `spec` with `handler` (two calls, so the handler's answers are checked against
 * the declared ones rather than widened).
 *
 * @example mount(handle(HEALTH)(async (c) => ({ status: 200, body: … })))
 */
export const handle =
  <S extends RouteSpec>(spec: S) =>
  (handler: Handler<S>): Implemented => ({
    spec,
    addTo: (app) => {
      // The app's guard already demands write of every method but GET: a route cannot loosen it.
      if (spec.scope !== "write" && spec.method !== "GET") {
        throw new Error(`${spec.method} ${spec.path}: only GET routes may be ${spec.scope}`);
      }
      const serve = async (c: Context<{ Bindings: AppEnv }>) => {
        const input = await decodeInput(spec, c);
        const answer = await handler(c, input, {
          run: (effect) => runEffect(c.env, effect),
          fail: (error) => {
            throw error;
          },
        });
        if ("response" in answer) return answer.response;
        return c.json(answer.body, answer.status as ContentfulStatusCode, answer.headers);
      };
      // A GET route the guard lets read may need more: the write token (it costs upstream calls).
      if (spec.method === "GET" && spec.scope === "write") {
        app.on(spec.method, spec.path, requireScope("write"), serve);
      } else {
        app.on(spec.method, spec.path, serve);
      }
    },
  });

/** A route group of implemented routes. */
export const mount = (...implemented: ReadonlyArray<Implemented>): App => {
  const app = routes();
  for (const route of implemented) route.addTo(app);
  return app;
};
