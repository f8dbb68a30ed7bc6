/**
 * `BackfillCoordinator`: one Durable Object per backfill id.
 *
 * It keeps the plan and each partition's status in its own SQLite and fans the partitions
 * out to their `PartitionActor`s one slice per alarm invocation (`core/backfill/slice.ts`),
 * re-arming the alarm until every partition is final. No request or invocation lives for
 * the whole backfill, and an invocation that dies is resumed by the next alarm.
 */
import { DurableObject } from "cloudflare:workers";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import * as Effect from "effect/Effect";
import migrations from "../../migrations/backfill/migrations.js";
import type { BackfillCoordinatorApi, StartBackfill } from "../actors/contract";
import { actorPorts, SLICE_PER_CONCURRENCY } from "../actors/coordinator-ports";
import { backfillOperation, mirrorOperation } from "../actors/operation-mirror";
import { type Reply, replyOf } from "../actors/reply";
import { runSlice } from "../core/backfill/slice";
import {
  type BackfillProgress,
  createBackfill,
  readHeader,
  readProgress,
  sqliteBackfillStore,
} from "../core/backfill/store";
import { appEnvOf } from "./actors";
import { durableSqlite } from "./durable-sqlite";
import { actorRuntime } from "./runtime";

export type { StartBackfill } from "../actors/contract";

/** The Durable Object that owns one backfill: its plan, its progress, its alarm. */
export class BackfillCoordinator extends DurableObject<Env> implements BackfillCoordinatorApi {
  readonly #db;
  /** The slice in flight: a second alarm (or test trigger) joins it instead of overlapping. */
  #slice: Promise<void> | undefined;
  /** This instance's services, kept for its lifetime (its requests share one I/O context). */
  readonly #runtime = actorRuntime(appEnvOf(this.env).VARS);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = durableSqlite(ctx.storage);
    void ctx.blockConcurrencyWhile(async () => {
      await migrate(this.#db, migrations);
    });
  }

  /** Stores the plan and arms the first alarm; a repeated start returns the progress. */
  async start(input: StartBackfill): Promise<Reply<BackfillProgress | null>> {
    const now = new Date();
    return replyOf(async () => {
      if (!readHeader(this.#db)) {
        createBackfill(this.#db, {
          backfillId: input.backfillId,
          plan: input.plan,
          concurrency: input.concurrency,
          sliceSize: input.concurrency * SLICE_PER_CONCURRENCY,
          now: now.toISOString(),
        });
        // The first slice runs in an alarm, not in the request that started the backfill.
        if (input.plan.partitions.length > 0) await this.ctx.storage.setAlarm(now);
        await this.#report();
      }
      return this.#progress();
    });
  }

  /** The backfill's progress, or null when this id has no backfill. */
  async progress(): Promise<Reply<BackfillProgress | null>> {
    return replyOf(() => this.#progress());
  }

  /** Runs the next slice, or joins the one in flight. */
  override async alarm(): Promise<void> {
    this.#slice ??= this.#runtime
      .runPromise(
        runSlice(
          sqliteBackfillStore(this.#db),
          actorPorts(appEnvOf(this.env).ACTORS, {
            setAlarm: (atMs) => this.ctx.storage.setAlarm(atMs),
            deleteAlarm: () => this.ctx.storage.deleteAlarm(),
          }),
        ),
      )
      .then(() => this.#report())
      .finally(() => {
        this.#slice = undefined;
      });
    return this.#slice;
  }

  /** Mirrors the progress into `core_operations` (best effort: the status page reads it). */
  async #report(): Promise<void> {
    const progress = this.#progress();
    if (!progress) return;
    await this.#runtime.runPromise(mirrorOperation(backfillOperation(progress)));
  }

  #progress(): BackfillProgress | null {
    return Effect.runSync(readProgress(sqliteBackfillStore(this.#db)));
  }
}
