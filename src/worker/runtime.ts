/**
 * One Effect runtime per isolate (and per Durable Object instance, or per Deno process),
 * built from the variables. Runtime-neutral: `@libsql/client/web` speaks HTTP through fetch.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient";
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/libsql/web";
import { Layer, LogLevel, ManagedRuntime } from "effect";
import { jsonLogsToStderr, parseLogLevel } from "../core/logging";
import { SourceConfig } from "../core/source-config";
import { Db } from "../db/db";
import * as schema from "../db/schema";
import { type AppVars, varsOf } from "./app-env";

/** Db (libSQL over HTTP) + HttpClient (fetch) + SourceConfig + JSON logs. */
export const workerLayer = (env: AppVars) => {
  const client = createClient(
    env.LIBSQL_AUTH_TOKEN
      ? { url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN }
      : { url: env.LIBSQL_URL },
  );
  return Layer.mergeAll(
    Db.fromDatabase(drizzle(client, { schema })),
    FetchHttpClient.layer,
    SourceConfig.fromVars(varsOf(env)),
    jsonLogsToStderr(parseLogLevel(env.LOG_LEVEL, LogLevel.Info)),
  );
};

/** Services every Worker effect may use. */
export type WorkerServices = Layer.Layer.Success<ReturnType<typeof workerLayer>>;

export type WorkerRuntime = ManagedRuntime.ManagedRuntime<WorkerServices, never>;

const runtimes = new WeakMap<AppVars, WorkerRuntime>();

/** The runtime of this isolate for `env` (workerd passes the same Env object each time). */
export const runtimeFor = (env: AppVars): WorkerRuntime => {
  let runtime = runtimes.get(env);
  if (!runtime) {
    runtime = ManagedRuntime.make(workerLayer(env));
    runtimes.set(env, runtime);
  }
  return runtime;
};

/**
 * Makes `runtime` the one `runtimeFor(env)` answers (a host that built its runtime first, or
 * over another database client, such as the Deno host or a test over a libSQL file).
 */
export const bindRuntime = (env: AppVars, runtime: WorkerRuntime): void => {
  runtimes.set(env, runtime);
};
