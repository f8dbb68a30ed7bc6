/**
 * `PartitionActor`: one Durable Object per `pipeline + partition key`, a thin shell around
 * `PartitionActorCore` (`src/actors/`): its state and run history in the object's own SQLite
 * (`partition_state`, `partition_runs`), its retries on the object's alarm; after each run it
 * pokes the `AlertDispatcher`.
 */
import { DurableObject } from "cloudflare:workers";
import { desc, eq } from "drizzle-orm";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import * as Effect from "effect/Effect";
import migrations from "../../migrations/actor/migrations.js";
import { pokeAlerts } from "../actors/alert-dispatcher-core";
import type {
  ActorRunRequest,
  ActorRunResponse,
  ActorWorkflowRequest,
  ActorWorkflowResponse,
  PartitionActorApi,
  PartitionStatus,
} from "../actors/contract";
import { PartitionActorCore } from "../actors/partition-actor-core";
import type { ActorStateStore, RetryScheduler } from "../actors/state-store";
import { partitionRuns, partitionState } from "../db/actor-schema";
import { appEnvOf, workerActors } from "./actors";
import { settingsOf } from "./app-env";
import { durableSqlite } from "./durable-sqlite";
import { partitionActorRuntime } from "./runtime";

export type {
  ActorRunRequest,
  ActorRunResponse,
  ActorWorkflowRequest,
  ActorWorkflowResponse,
  PartitionStatus,
} from "../actors/contract";

type ActorDatabase = ReturnType<typeof durableSqlite>;

/** The actor's state in its own SQLite: one `partition_state` row (`id = 1`), every run. */
export const durableObjectStore = (db: ActorDatabase): ActorStateStore => ({
  read: Effect.sync(() => {
    const row = db.select().from(partitionState).where(eq(partitionState.id, 1)).get();
    if (!row) return undefined;
    const { id: _, ...state } = row;
    return state;
  }),
  put: (state) =>
    Effect.sync(() => {
      const row = { id: 1, ...state };
      db.insert(partitionState)
        .values(row)
        .onConflictDoUpdate({ target: partitionState.id, set: row })
        .run();
    }),
  patch: (patch) =>
    Effect.sync(() => {
      db.update(partitionState).set(patch).where(eq(partitionState.id, 1)).run();
    }),
  finish: (patch, run) =>
    Effect.sync(() => {
      db.transaction((tx) => {
        tx.update(partitionState).set(patch).where(eq(partitionState.id, 1)).run();
        tx.insert(partitionRuns).values(run).onConflictDoNothing().run();
      });
    }),
  history: (limit) =>
    Effect.sync(() =>
      db.select().from(partitionRuns).orderBy(desc(partitionRuns.startedAt)).limit(limit).all(),
    ),
});

/** Retries on the Durable Object's alarm. */
export const durableObjectScheduler = (storage: DurableObjectStorage): RetryScheduler => ({
  schedule: (at) => Effect.promise(() => storage.setAlarm(at)),
  cancel: Effect.promise(() => storage.deleteAlarm()),
});

export class PartitionActor extends DurableObject<Env> implements PartitionActorApi {
  readonly #core: PartitionActorCore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const db = durableSqlite(ctx.storage);
    const vars = appEnvOf(env).VARS;
    this.#core = new PartitionActorCore({
      store: durableObjectStore(db),
      scheduler: durableObjectScheduler(ctx.storage),
      runtime: partitionActorRuntime(vars, ctx.id.toString()),
      policy: settingsOf(vars).alarm,
      afterRun: () => pokeAlerts(workerActors(env)),
    });
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(db, migrations);
      await this.#core.recoverInterrupted();
    });
  }

  /** Runs the partition, or joins the run in flight. Never throws across RPC. */
  run(request: ActorRunRequest): Promise<ActorRunResponse> {
    return this.#core.run(request);
  }

  /** Runs a workflow for this partition, or joins the workflow run in flight. */
  runWorkflow(request: ActorWorkflowRequest): Promise<ActorWorkflowResponse> {
    return this.#core.runWorkflow(request);
  }

  /** The partition's state and recent history, or null if it never ran. */
  status(): Promise<PartitionStatus | null> {
    return this.#core.status();
  }

  /** A scheduled retry of a transient failure. */
  override alarm(): Promise<void> {
    return this.#core.alarm();
  }
}
