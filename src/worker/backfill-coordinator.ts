/**
 * `BackfillCoordinator`: one Durable Object per backfill id.
 *
 * It keeps the plan and each partition's status in its own SQLite and fans the partitions
 * out to their `PartitionActor`s one slice per alarm invocation (`core/backfill-slice.ts`),
 * re-arming the alarm until every partition is final. No request or invocation lives for
 * the whole backfill, and an invocation that dies is resumed by the next alarm.
 */
import { DurableObject } from "cloudflare:workers";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { migrate } from "drizzle-orm/durable-sqlite/migrator";
import { Effect } from "effect";
import migrations from "../../migrations/backfill/migrations.js";
import type { BackfillPlan } from "../core/backfill";
import { type CoordinatorPorts, type PartitionView, runSlice } from "../core/backfill-slice";
import {
  type BackfillProgress,
  createBackfill,
  readHeader,
  readProgress,
} from "../core/backfill-store";
import { reportOperation } from "../core/operations";
import type { RunResult } from "../core/run-result";
import * as backfillSchema from "../db/backfill-schema";
import { partitionActor } from "./actors";
import type { Env } from "./env";
import { type Reply, replyOf } from "./replies";
import { runtimeFor } from "./runtime";

/** What `POST /backfills` hands the coordinator. */
export interface StartBackfill {
  readonly backfillId: string;
  readonly plan: BackfillPlan;
  readonly concurrency: number;
}

/** Partitions dispatched per alarm invocation, per unit of concurrency. */
const SLICE_PER_CONCURRENCY = 4;

const viewOfResult = (result: RunResult): PartitionView => ({
  status: result.status,
  capture_id: result.capture_id || null,
  execution_id: result.execution_id || null,
  error: result.error ?? null,
  started_at: result.started_at,
  next_retry_at: null,
});

/** A backfill's progress as a `core_operations` row. */
const operationOf = (p: BackfillProgress) =>
  ({
    operation_id: p.backfill_id,
    kind: "backfill",
    pipeline: p.pipeline,
    start: p.start,
    end: p.end,
    status: p.status,
    total: p.total,
    done: p.complete + p.no_data_expected + p.failed,
    failed: p.failed,
    created_at: p.created_at,
    updated_at: p.updated_at,
    finished_at: p.finished_at,
  }) as const;

/** Gets the stub of the coordinator of `backfillId`. */
export const backfillCoordinator = (env: Env, backfillId: string) =>
  env.BACKFILL_COORDINATOR.get(env.BACKFILL_COORDINATOR.idFromName(backfillId));

/** The Durable Object that owns one backfill: its plan, its progress, its alarm. */
export class BackfillCoordinator extends DurableObject<Env> {
  readonly #db;
  /** The slice in flight: a second alarm (or test trigger) joins it instead of overlapping. */
  #slice: Promise<void> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#db = drizzle(ctx.storage, { schema: backfillSchema });
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
      return readProgress(this.#db);
    });
  }

  /** The backfill's progress, or null when this id has no backfill. */
  async progress(): Promise<Reply<BackfillProgress | null>> {
    return replyOf(() => readProgress(this.#db));
  }

  /** Runs the next slice, or joins the one in flight. */
  override async alarm(): Promise<void> {
    this.#slice ??= runtimeFor(this.env)
      .runPromise(runSlice(this.#db, this.#ports()))
      .then(() => this.#report())
      .finally(() => {
        this.#slice = undefined;
      });
    return this.#slice;
  }

  /** Mirrors the progress into `core_operations` (best effort: the status page reads it). */
  async #report(): Promise<void> {
    const progress = readProgress(this.#db);
    if (!progress) return;
    await runtimeFor(this.env).runPromise(
      reportOperation(operationOf(progress)).pipe(
        Effect.catchAll((e) => Effect.logWarning("operation mirror failed", e)),
      ),
    );
  }

  #ports(): CoordinatorPorts {
    return {
      run: async (pipeline, partition, batchId) => {
        const response = await partitionActor(this.env, pipeline, partition).run({
          pipeline,
          partition,
          trigger: "backfill",
          batchId,
        });
        return viewOfResult(response.result);
      },
      check: async (pipeline, partition) => {
        const status = await partitionActor(this.env, pipeline, partition).status();
        return status
          ? {
              status: status.status,
              capture_id: status.capture_id,
              execution_id: status.execution_id,
              error: status.last_error ?? null,
              started_at: status.started_at,
              next_retry_at: status.next_retry_at,
            }
          : null;
      },
      setAlarm: (atMs) => this.ctx.storage.setAlarm(atMs),
      deleteAlarm: () => this.ctx.storage.deleteAlarm(),
    };
  }
}
