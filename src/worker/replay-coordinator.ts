/**
 * `ReplayCoordinator`: one Durable Object per replay id.
 *
 * It keeps the plan, each partition's canonical JSONL, hash and reconciliation in its own
 * storage and advances one slice per alarm (`reconciliation/replay-slice.ts`), so a replay of
 * years of partitions continues across invocations like a backfill. No table is written
 * except the manifest's replay hash and reconciliation's anomalies and audit events.
 */
import { DurableObject } from "cloudflare:workers";
import * as Effect from "effect/Effect";
import { pokeAlerts } from "../actors/alert-dispatcher-core";
import type { ReplayCoordinatorApi, ReplayState, StartReplay } from "../actors/contract";
import { mirrorOperation, replayOperation } from "../actors/operation-mirror";
import { type Reply, replyOf } from "../actors/reply";
import { PIPELINES } from "../domains/registry";
import {
  createReplay,
  type ReplayStorage,
  readPartitionOutput,
  readReplay,
  runReplaySlice,
} from "../reconciliation/replay-slice";
import { appEnvOf, workerActors } from "./actors";
import { actorRuntime } from "./runtime";

export type { ReplayState, StartReplay } from "../actors/contract";

/** The Durable Object that owns one replay: its plan, its output, its alarm. */
export class ReplayCoordinator extends DurableObject<Env> implements ReplayCoordinatorApi {
  /** The slice in flight: a second alarm (or test trigger) joins it instead of overlapping. */
  #slice: Promise<void> | undefined;
  /** This instance's services, kept for its lifetime (its requests share one I/O context). */
  readonly #runtime = actorRuntime(appEnvOf(this.env).VARS);

  #storage(): ReplayStorage {
    const storage = this.ctx.storage;
    return {
      get: (key) => storage.get(key),
      put: (entries) => storage.put(entries),
      list: (prefix, options) =>
        storage.list({
          prefix,
          limit: options.limit,
          ...(options.startAfter ? { startAfter: options.startAfter } : {}),
        }),
      setAlarm: (atMs) => storage.setAlarm(atMs),
      deleteAlarm: () => storage.deleteAlarm(),
    };
  }

  #run<A>(effect: Effect.Effect<A, never, never>): Promise<A> {
    return this.#runtime.runPromise(effect);
  }

  /** Stores the plan and arms the first alarm; a repeated start returns the state. */
  async start(input: StartReplay): Promise<Reply<ReplayState | null>> {
    return replyOf(async () => {
      await this.#run(createReplay(this.#storage(), input, new Date()));
      await this.#report();
      return (await this.#run(readReplay(this.#storage()))) ?? null;
    });
  }

  /** The replay's state, or null when this id has no replay. */
  async state(): Promise<Reply<ReplayState | null>> {
    return replyOf(async () => (await this.#run(readReplay(this.#storage()))) ?? null);
  }

  /** The canonical JSONL of the partition at `index` of the plan (empty if none yet). */
  async output(index: number): Promise<Reply<string>> {
    return replyOf(() => this.#run(readPartitionOutput(this.#storage(), index)));
  }

  /** Mirrors the state into `core_operations` (best effort: the status page reads it). */
  async #report(): Promise<void> {
    const state = await this.#run(readReplay(this.#storage()));
    if (!state) return;
    await this.#runtime.runPromise(
      mirrorOperation(replayOperation(state, new Date().toISOString())),
    );
  }

  /** Runs the next slice, or joins the one in flight. */
  override async alarm(): Promise<void> {
    this.#slice ??= this.#runtime
      .runPromise(
        runReplaySlice(PIPELINES, this.#storage()).pipe(
          Effect.catchAllCause((cause) =>
            Effect.logError("replay slice failed; the watchdog alarm resumes it", cause),
          ),
        ),
      )
      // Reconciliation writes anomalies: queue their alerts.
      .then(() => pokeAlerts(workerActors(this.env)))
      .then(() => this.#report())
      .finally(() => {
        this.#slice = undefined;
      });
    return this.#slice;
  }
}
