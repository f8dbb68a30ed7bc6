/**
 * Addressing partition actors: one Durable Object per `pipeline + partition key`.
 */
import type { Env } from "./env";

/** The stub of the actor that owns `pipeline` + `partition`. */
export const partitionActor = (env: Env, pipeline: string, partition: string) =>
  env.PARTITION_ACTOR.get(env.PARTITION_ACTOR.idFromName(`${pipeline}::${partition}`));

/** The stub of the actor that runs `workflow` for `partition` (one run at a time). */
export const workflowActor = (env: Env, workflow: string, partition: string) =>
  partitionActor(env, `workflow:${workflow}`, partition);
