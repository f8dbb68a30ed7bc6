/**
 * The Worker's Effect services, built from the variables. Runtime-neutral: libSQL is reached
 * over Hrana-over-HTTP through fetch (`db/hrana/client.ts`).
 *
 * workerd ties every I/O object (a fetch, its response, a timer) to the request that created
 * it. On Workers the stateless handler (HTTP, cron) therefore builds its services per request:
 * a client shared across requests ends up awaiting one request's I/O from another's, which
 * workerd cancels (with `@libsql/client`'s request limiter this wedged every query after 20
 * such cancellations: docs/reliability.md). A Durable Object's requests share one I/O context, so each
 * object instance keeps one runtime for its lifetime (not one per `env`: every object of an
 * isolate receives the same `env`). A host without that restriction (the
 * Deno host, tests over a libSQL file) binds one runtime for everything (`bindRuntime`).
 */
import * as Effect from "effect/Effect";
import type * as Exit from "effect/Exit";
import * as Layer from "effect/Layer";
import * as LogLevel from "effect/LogLevel";
import * as ManagedRuntime from "effect/ManagedRuntime";
import * as Option from "effect/Option";
import * as Redacted from "effect/Redacted";
import { AuditLogLive } from "../audit/log";
import { AppConfig, type ConfigVars, InvalidConfig } from "../core/config/app-config";
import { HttpFetch } from "../core/http/http-fetch";
import { jsonLogsByLevel } from "../core/model/logging";
import { RunOwner } from "../core/pipeline/run-owner";
import { CoreStoresLibsql } from "../core/store/layers";
import { Db } from "../db/db";
import { createHttpClient } from "../db/hrana/client";
import { drizzleWithoutRelations } from "../db/hrana/drizzle";
import { OutputDigestLive } from "../reconciliation/canonical";
import { type AppEnv, settingsOf } from "./app-env";

/**
 * libSQL over HTTP (`LIBSQL_URL`, `LIBSQL_AUTH_TOKEN`): one client for the scope's lifetime (a
 * request, a Durable Object instance), closed when the scope ends.
 */
export const DbWorkerLive = Layer.scoped(
  Db,
  Effect.gen(function* () {
    const { libsql } = yield* AppConfig;
    if (Option.isNone(libsql.url)) {
      return yield* Effect.die(
        new InvalidConfig({ message: "invalid configuration: LIBSQL_URL: is required" }),
      );
    }
    const url = libsql.url.value;
    const client = yield* Effect.acquireRelease(
      Effect.sync(() =>
        createHttpClient(
          Option.match(libsql.authToken, {
            onNone: () => ({ url }),
            onSome: (token) => ({ url, authToken: Redacted.value(token) }),
          }),
        ),
      ),
      (client) => Effect.sync(() => client.close()),
    );
    return { drizzle: drizzleWithoutRelations(client), client };
  }),
);

/** JSON logs at `LOG_LEVEL` (default INFO). */
const logsLive = Layer.unwrapEffect(
  Effect.map(AppConfig, (config) =>
    jsonLogsByLevel(Option.getOrElse(config.logLevel, () => LogLevel.Info)),
  ),
);

/**
 * The settings of `vars` (read once per variables object); an invalid one is a defect carrying
 * `InvalidConfig`, so every effect of the runtime fails with its message.
 */
const configLive = (vars: ConfigVars) =>
  Layer.sync(AppConfig, () => AppConfig.make(settingsOf(vars)));

/**
 * AppConfig + Db (libSQL over HTTP) + the core stores, audit log and output digest over it +
 * HttpFetch (fetch) + JSON logs by level.
 */
export const workerLayer = (vars: ConfigVars) =>
  Layer.mergeAll(
    Layer.provideMerge(
      Layer.mergeAll(AuditLogLive, OutputDigestLive, CoreStoresLibsql),
      DbWorkerLive,
    ),
    HttpFetch.layer,
    logsLive,
  ).pipe(Layer.provideMerge(configLive(vars)));

/** Services every Worker effect may use. */
export type WorkerServices = Layer.Layer.Success<ReturnType<typeof workerLayer>>;

export type WorkerRuntime = ManagedRuntime.ManagedRuntime<WorkerServices, never>;

const bound = new WeakMap<AppEnv, WorkerRuntime>();

/**
 * Makes `runtime` the one every request and actor of `env` uses (a host that built its
 * runtime first, or over another database client, such as the Deno host or a test over a
 * libSQL file). Never on Workers: see the module doc.
 */
export const bindRuntime = (env: AppEnv, runtime: WorkerRuntime): void => {
  bound.set(env, runtime);
};

/**
 * Runs one effect of a stateless request (HTTP handler, cron tick): on services of its own,
 * released when it ends, unless the host bound a runtime.
 */
export const runForRequest = <A, E>(
  env: AppEnv,
  effect: Effect.Effect<A, E, WorkerServices>,
): Promise<Exit.Exit<A, E>> => {
  const runtime = bound.get(env);
  return runtime
    ? runtime.runPromiseExit(effect)
    : Effect.runPromiseExit(Effect.provide(effect, workerLayer(env.VARS)));
};

/** The runtime of one Durable Object instance: create it once per instance, keep it. */
export const actorRuntime = (vars: ConfigVars): WorkerRuntime =>
  ManagedRuntime.make(workerLayer(vars));

/**
 * The runtime of a partition actor, the owner of its runs: it runs one run at a time, so a
 * capture it left `running` before the new run is from an earlier life of the object (a crash,
 * a restart) and can no longer finish.
 */
export const partitionActorRuntime = (vars: ConfigVars, objectId: string): WorkerRuntime =>
  ManagedRuntime.make(
    Layer.merge(
      workerLayer(vars),
      Layer.succeed(RunOwner, {
        info: { kind: "actor", id: objectId },
        isGone: (other) => other.kind === "actor" && other.id === objectId,
      }),
    ),
  );
