/**
 * The Worker's `ActorBindings`: one Durable Object per `pipeline + partition key`, per backfill
 * and per replay, addressed by name, and the one alert dispatcher.
 */
import {
  type ActorBindings,
  type ActorWorkflowResponse,
  type PartitionActorApi,
  partitionActorName,
} from "../actors/contract";
import { varsOf } from "../core/config/app-config";
import type { AppEnv } from "./app-env";

/** The stub of the actor that owns `pipeline` + `partition`. */
export const partitionActor = (env: Env, pipeline: string, partition: string) =>
  env.PARTITION_ACTOR.get(env.PARTITION_ACTOR.idFromName(partitionActorName(pipeline, partition)));

/** The stub of the actor that runs `workflow` for `partition` (one run at a time). */
export const workflowActor = (env: Env, workflow: string, partition: string) =>
  partitionActor(env, `workflow:${workflow}`, partition);

/** Gets the stub of the coordinator of `backfillId`. */
export const backfillCoordinator = (env: Env, backfillId: string) =>
  env.BACKFILL_COORDINATOR.get(env.BACKFILL_COORDINATOR.idFromName(backfillId));

/** The stub of the alert dispatcher (one per Worker). */
export const alertDispatcher = (env: Env) =>
  env.ALERT_DISPATCHER.get(env.ALERT_DISPATCHER.idFromName("alerts"));

/** Gets the stub of the coordinator of `replayId`. */
export const replayCoordinator = (env: Env, replayId: string) =>
  env.REPLAY_COORDINATOR.get(env.REPLAY_COORDINATOR.idFromName(replayId));

/** The Durable Objects behind the actor contract. */
export const workerActors = (env: Env): ActorBindings => ({
  partition: (pipeline, partition): PartitionActorApi => {
    const stub = partitionActor(env, pipeline, partition);
    return {
      run: (request) => stub.run(request),
      // Step outputs are `unknown` JSON, which the RPC stub types cannot express.
      runWorkflow: (request) =>
        stub.runWorkflow(request) as unknown as Promise<ActorWorkflowResponse>,
      status: () => stub.status(),
    };
  },
  backfill: (backfillId) => {
    const stub = backfillCoordinator(env, backfillId);
    return { start: (input) => stub.start(input), progress: () => stub.progress() };
  },
  replay: (replayId) => {
    const stub = replayCoordinator(env, replayId);
    return {
      start: (input) => stub.start(input),
      state: () => stub.state(),
      output: (index) => stub.output(index),
    };
  },
  alerts: () => {
    const stub = alertDispatcher(env);
    return { poke: () => stub.poke() };
  },
});

const appEnvs = new WeakMap<Env, AppEnv>();

/**
 * The app's bindings for this Worker Env: its string bindings (vars, secrets) as the variables,
 * the Durable Objects as the actors; the same object each time, so settings are read once.
 */
export const appEnvOf = (env: Env): AppEnv => {
  let appEnv = appEnvs.get(env);
  if (!appEnv) {
    appEnv = { VARS: varsOf(env), ACTORS: workerActors(env) };
    appEnvs.set(env, appEnv);
  }
  return appEnv;
};
