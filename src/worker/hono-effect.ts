/**
 * Glue between Hono handlers and Effect: run on services of the request's own (`runtime.ts`),
 * throw typed failures to `app.onError`, which answers them with the status their class
 * declares (`http-errors.ts`).
 */
import type * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import { Hono } from "hono/tiny";
import { errorOfCause } from "../actors/reply";
import type { AppEnv } from "./app-env";
import { runForRequest, type WorkerServices } from "./runtime";

/** Hono typed with the app's bindings (the same on Workers and Deno). */
export type App = Hono<{ Bindings: AppEnv }>;

/**
 * A new route group. `hono/tiny` routes with the PatternRouter, the smallest of Hono's routers
 * (a regular expression per route, matched in order), enough for a few dozen routes.
 */
export const routes = (): App => new Hono<{ Bindings: AppEnv }>();

/** Runs an effect for a handler; a typed failure is thrown as itself (with its `_tag`). */
export const runEffect = async <A, E>(
  env: AppEnv,
  effect: Effect.Effect<A, E, WorkerServices>,
): Promise<A> => {
  const exit = await runForRequest(env, effect);
  if (Exit.isSuccess(exit)) return exit.value;
  throw errorOfCause(exit.cause);
};
