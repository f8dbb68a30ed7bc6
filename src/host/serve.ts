/**
 * The Hono app and the cron served by the in-process host: what `src/deno/main.ts` hands to
 * `Deno.serve` and `Deno.cron`. Runtime-neutral, so Node tests run the same thing.
 */
import * as ManagedRuntime from "effect/ManagedRuntime";
import type { ConfigVars } from "../core/config/app-config";
import { app } from "../worker/app";
import { type AppEnv, settingsOf } from "../worker/app-env";
import { LIVE_CRON } from "../worker/cron-schedules";
import { runCron } from "../worker/live-runs";
import { bindRuntime, type WorkerRuntime, workerLayer } from "../worker/runtime";
import { ProcessHost } from "./process-host";

export interface HostServerOptions {
  /** Default: the Worker's runtime over `LIBSQL_URL` (libSQL over HTTP). */
  readonly runtime?: WorkerRuntime;
  /** How often due alarms are looked for. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Serve `GET /__scheduled?cron=…` (as `wrangler dev --test-scheduled` does). Default false. */
  readonly testScheduled?: boolean;
}

export interface HostServer {
  /** The app's bindings: the variables and this host's actors. */
  readonly env: AppEnv;
  readonly host: ProcessHost;
  /** Answers one HTTP request. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Runs a cron schedule's work now, as its trigger would at `scheduledTime`. */
  readonly cron: (cron: string, scheduledTime?: number) => Promise<unknown>;
  /** Stops the poller, waits for alarms in flight, closes the database client. */
  stop(): Promise<void>;
}

/**
 * Builds the host over `vars` (throws `InvalidConfig` when a setting does not parse), recovers
 * interrupted runs and starts polling its alarms.
 */
export const startHostServer = async (
  vars: ConfigVars,
  options: HostServerOptions = {},
): Promise<HostServer> => {
  const { alarm } = settingsOf(vars);
  const runtime = options.runtime ?? ManagedRuntime.make(workerLayer(vars));
  const host = await ProcessHost.make({
    runtime,
    policy: alarm,
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  const env: AppEnv = { VARS: vars, ACTORS: host };
  bindRuntime(env, runtime);
  await host.start();
  const cron = (schedule: string, scheduledTime: number = Date.now()) =>
    runCron(env, schedule, scheduledTime);
  const fetch = async (request: Request): Promise<Response> => {
    if (options.testScheduled && new URL(request.url).pathname === "/__scheduled") {
      const url = new URL(request.url);
      const schedule = url.searchParams.get("cron") ?? LIVE_CRON;
      const time = Number(url.searchParams.get("time") ?? Number.NaN);
      const scheduledTime = Number.isFinite(time) ? time : Date.now();
      const runs = await cron(schedule, scheduledTime);
      return Response.json({ cron: schedule, scheduled_time: scheduledTime, runs });
    }
    return app.fetch(request, env);
  };
  return {
    env,
    host,
    fetch,
    cron,
    stop: async () => {
      await host.stop();
      await runtime.dispose();
    },
  };
};
