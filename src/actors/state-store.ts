/**
 * What a partition actor needs from its host: somewhere to keep its state and run history
 * (`ActorStateStore`) and one durable alarm (`RetryScheduler`). Durable Objects give their own
 * SQLite and alarm; the Deno host gives libSQL tables and a polled alarm table.
 */
import type * as Effect from "effect/Effect";
import type { AlarmSettings } from "../core/config/app-config";
import { runRetryDelayMs } from "../core/ingest/retry";
import type { partitionRuns, partitionState } from "../db/actor-schema";

/** The actor's current state: the columns of `partition_state` without its `id`. */
export type ActorState = Omit<typeof partitionState.$inferSelect, "id">;

/** One run of the partition: a `partition_runs` row. */
export type ActorRun = typeof partitionRuns.$inferSelect;

/** Columns a run may change once the state exists. */
export type ActorStatePatch = Partial<Omit<ActorState, "pipeline" | "partitionKey">>;

/**
 * The actor's storage. Failures of the storage itself are defects: the actor cannot go on
 * without its state, and the host surfaces them as a failed call.
 */
export interface ActorStateStore {
  /** The state, or undefined when the partition never ran. */
  readonly read: Effect.Effect<ActorState | undefined>;
  /** Replaces the whole state (first write of a run). */
  readonly put: (state: ActorState) => Effect.Effect<void>;
  readonly patch: (patch: ActorStatePatch) => Effect.Effect<void>;
  /**
   * Ends a run, atomically: the state takes `patch` and the run joins the history (a run
   * already recorded under its execution id is left alone), so no reader sees one without the
   * other.
   */
  readonly finish: (patch: ActorStatePatch, run: ActorRun) => Effect.Effect<void>;
  /** The newest `limit` runs, newest first. */
  readonly history: (limit: number) => Effect.Effect<ReadonlyArray<ActorRun>>;
}

/** The actor's one alarm: setting it replaces the previous time; it survives restarts. */
export interface RetryScheduler {
  readonly schedule: (at: Date) => Effect.Effect<void>;
  readonly cancel: Effect.Effect<void>;
}

/**
 * How often and how soon the actor retries a transiently failed run: `AppConfig.alarm`
 * (`ALARM_MAX_ATTEMPTS`, `ALARM_BASE_DELAY_MS`).
 */
export type RetryPolicy = AlarmSettings;

/** The delay before retry number `retryCount + 1`, spread so runs failed together part. */
export const retryDelayMs = (policy: RetryPolicy, retryCount: number) =>
  runRetryDelayMs(retryCount, policy.baseDelayMs, policy.maxDelayMs);
