/**
 * A partition actor's state in libSQL: its row of `host_partition_state` and its runs in
 * `host_partition_runs` (the columns of the Durable Object's `partition_state` /
 * `partition_runs`, keyed by pipeline and partition key).
 */
import { and, desc, eq } from "drizzle-orm";
import * as Effect from "effect/Effect";
import type { ActorStateStore } from "../actors/state-store";
import type { Database } from "../db/db";
import { hostPartitionRuns, hostPartitionState } from "../db/schema/host";

/** The store of the actor that owns `pipeline` + `partition`. */
export const libsqlActorStore = (
  db: Database,
  pipeline: string,
  partition: string,
): ActorStateStore => {
  const mine = and(
    eq(hostPartitionState.pipeline, pipeline),
    eq(hostPartitionState.partitionKey, partition),
  );
  return {
    read: Effect.promise(() => db.select().from(hostPartitionState).where(mine).get()),
    put: (state) =>
      Effect.promise(async () => {
        const row = { ...state, pipeline, partitionKey: partition };
        await db
          .insert(hostPartitionState)
          .values(row)
          .onConflictDoUpdate({
            target: [hostPartitionState.pipeline, hostPartitionState.partitionKey],
            set: row,
          });
      }),
    patch: (patch) =>
      Effect.promise(async () => {
        await db.update(hostPartitionState).set(patch).where(mine);
      }),
    finish: (patch, run) =>
      Effect.promise(async () => {
        await db.batch([
          db.update(hostPartitionState).set(patch).where(mine),
          db
            .insert(hostPartitionRuns)
            .values({ ...run, pipeline, partitionKey: partition })
            .onConflictDoNothing(),
        ]);
      }),
    history: (limit) =>
      Effect.promise(async () => {
        const rows = await db
          .select()
          .from(hostPartitionRuns)
          .where(
            and(
              eq(hostPartitionRuns.pipeline, pipeline),
              eq(hostPartitionRuns.partitionKey, partition),
            ),
          )
          .orderBy(desc(hostPartitionRuns.startedAt))
          .limit(limit);
        return rows.map(({ pipeline: _p, partitionKey: _k, ...run }) => run);
      }),
  };
};

/** Partitions left `running` (by a process that ended mid-run), as `[pipeline, partition]`. */
export const interruptedPartitions = async (
  db: Database,
): Promise<ReadonlyArray<readonly [string, string]>> => {
  const rows = await db
    .select({ pipeline: hostPartitionState.pipeline, partition: hostPartitionState.partitionKey })
    .from(hostPartitionState)
    .where(eq(hostPartitionState.status, "running"));
  return rows.map((r) => [r.pipeline, r.partition] as const);
};
