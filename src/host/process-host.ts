/**
 * The in-process actor host (Deno; tested on Node): the actor contract without Durable Objects.
 *
 * One single-flight `PartitionActorCore` per `pipeline + partition` in this process, its state
 * in libSQL; backfill and replay coordinators over libSQL; and every actor's alarm a row of
 * `host_alarms` that the poller fires when due, so a retry or a slice scheduled before a
 * restart still runs after it. Single-flight holds within one process: run one host per
 * database. The alert dispatcher is one more actor, with its own alarm (kind `alerts`).
 */
import * as Effect from "effect/Effect";
import { AlertDispatcherCore, pokeAlerts } from "../actors/alert-dispatcher-core";
import {
  type ActorBindings,
  type AlertDispatcherApi,
  type PartitionActorApi,
  partitionActorName,
} from "../actors/contract";
import { type ActorRuntime, PartitionActorCore } from "../actors/partition-actor-core";
import type { RetryPolicy } from "../actors/state-store";
import { type Database, Db } from "../db/db";
import {
  type AlarmKey,
  alarmAt,
  alarmScheduler,
  type DueAlarm,
  deleteAlarm,
  dueAlarms,
  setAlarm,
  settleAlarm,
} from "./alarms";
import {
  BACKFILL_ALARM,
  type CoordinatorHost,
  hostBackfillCoordinator,
  hostReplayCoordinator,
  REPLAY_ALARM,
  runBackfillAlarm,
  runReplayAlarm,
} from "./coordinators";
import { interruptedPartitions, libsqlActorStore } from "./libsql-actor-store";

export interface ProcessHostOptions {
  /**
   * Provides Db (the libSQL database of the host's tables), HttpFetch and AppConfig (whose
   * `alerts` the alert dispatcher delivers by).
   */
  readonly runtime: ActorRuntime;
  readonly policy: RetryPolicy;
  /** How often the poller looks for due alarms. Default 1000 ms. */
  readonly pollIntervalMs?: number;
  /** Alarms running at once at most. Default 8. */
  readonly maxConcurrentAlarms?: number;
}

/** Runs the alarm of the actor `name`; a rejection re-arms it {@link FAILED_ALARM_DELAY_MS} later. */
export type AlarmHandler = (name: string) => Promise<void>;

/** A kind of actor whose alarm failed is woken again this much later. */
export const FAILED_ALARM_DELAY_MS = 10_000;
/** Alarm kind of the partition actors. */
export const PARTITION_ALARM = "partition";
/** The alarm of the host's alert dispatcher. */
export const ALERTS_ALARM: AlarmKey = { kind: "alerts", name: "alerts" };

const POLL_BATCH = 100;
const keyOf = (key: AlarmKey) => `${key.kind}\u0000${key.name}`;

export class ProcessHost implements ActorBindings {
  readonly #db: Database;
  readonly #options: ProcessHostOptions;
  readonly #actors = new Map<string, PartitionActorCore>();
  readonly #handlers = new Map<string, AlarmHandler>();
  readonly #firing = new Map<string, Promise<void>>();
  readonly #coordinators: CoordinatorHost;
  readonly #alerts: AlertDispatcherCore;
  #timer: ReturnType<typeof setInterval> | undefined;

  private constructor(db: Database, options: ProcessHostOptions) {
    this.#db = db;
    this.#options = options;
    this.#coordinators = { db, runtime: options.runtime, actors: this };
    this.onAlarm(PARTITION_ALARM, (name) => {
      const at = name.indexOf("::");
      return this.#actor(name.slice(0, at), name.slice(at + 2)).alarm();
    });
    this.onAlarm(BACKFILL_ALARM, (id) => runBackfillAlarm(this.#coordinators, id));
    this.onAlarm(REPLAY_ALARM, (id) => runReplayAlarm(this.#coordinators, id));
    this.#alerts = new AlertDispatcherCore({
      runtime: options.runtime,
      alarm: {
        at: () => alarmAt(db, ALERTS_ALARM),
        set: (atMs) => setAlarm(db, ALERTS_ALARM, atMs),
      },
    });
    this.onAlarm(ALERTS_ALARM.kind, async () => {
      await this.#alerts.alarm((await alarmAt(db, ALERTS_ALARM)) ?? 0);
    });
  }

  /** A host over the runtime's database (migrated by whoever serves it). */
  static async make(options: ProcessHostOptions): Promise<ProcessHost> {
    const db = await options.runtime.runPromise(Effect.map(Db, (d) => d.drizzle));
    return new ProcessHost(db, options);
  }

  /** The partition's actor; each call goes to the one instance this process keeps for it. */
  partition(pipeline: string, partition: string): PartitionActorApi {
    return {
      run: (request) => this.#actor(pipeline, partition).run(request),
      runWorkflow: (request) => this.#actor(pipeline, partition).runWorkflow(request),
      status: () => this.#actor(pipeline, partition).status(),
    };
  }

  backfill(backfillId: string) {
    return hostBackfillCoordinator(this.#coordinators, backfillId);
  }

  replay(replayId: string) {
    return hostReplayCoordinator(this.#coordinators, replayId);
  }

  alerts(): AlertDispatcherApi {
    return this.#alerts;
  }

  /**
   * Registers what wakes actors of `kind`: another kind of actor (an alert outbox, say) sets
   * its alarm with {@link setAlarm} and is called here when it is due.
   */
  onAlarm(kind: string, handler: AlarmHandler): void {
    this.#handlers.set(kind, handler);
  }

  /** Sets (or moves) the alarm of an actor. */
  setAlarm(key: AlarmKey, atMs: number): Promise<void> {
    return setAlarm(this.#db, key, atMs);
  }

  deleteAlarm(key: AlarmKey): Promise<void> {
    return deleteAlarm(this.#db, key);
  }

  /** When the actor's alarm is due (epoch ms), or null. */
  alarmAt(key: AlarmKey): Promise<number | null> {
    return alarmAt(this.#db, key);
  }

  /** The alarm key of a partition actor. */
  static partitionAlarm(pipeline: string, partition: string): AlarmKey {
    return { kind: PARTITION_ALARM, name: partitionActorName(pipeline, partition) };
  }

  /** Runs that a previous process left `running` become scheduled retries. */
  async recover(): Promise<number> {
    const interrupted = await interruptedPartitions(this.#db);
    for (const [pipeline, partition] of interrupted) {
      await this.#actor(pipeline, partition).recoverInterrupted();
    }
    return interrupted.length;
  }

  /**
   * Fires every alarm due at `nowMs` that is not already running, and resolves once they
   * have finished, with the alarms it fired.
   */
  async poll(nowMs: number = Date.now()): Promise<ReadonlyArray<AlarmKey>> {
    this.#evictIdle();
    const limit = (this.#options.maxConcurrentAlarms ?? 8) - this.#firing.size;
    if (limit <= 0) return [];
    const due = await dueAlarms(this.#db, nowMs, POLL_BATCH);
    const started = due.filter((a) => !this.#firing.has(keyOf(a))).slice(0, limit);
    await Promise.all(started.map((alarm) => this.#fire(alarm)));
    return started.map(({ kind, name }) => ({ kind, name }));
  }

  /** Fires the actor's alarm now if it has one (tests; `runDurableObjectAlarm` on Workers). */
  async fireNow(key: AlarmKey): Promise<boolean> {
    const dueAt = await alarmAt(this.#db, key);
    if (dueAt === null) return false;
    await this.#fire({ ...key, dueAt });
    return true;
  }

  /** Recovers interrupted runs, then polls every `pollIntervalMs`. */
  async start(): Promise<void> {
    await this.recover();
    this.#timer ??= setInterval(() => {
      this.poll().catch((error: unknown) => this.#log("alarm poll failed", error));
    }, this.#options.pollIntervalMs ?? 1_000);
  }

  /** Stops polling and waits for the alarms in flight. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#firing.values()]);
  }

  #actor(pipeline: string, partition: string): PartitionActorCore {
    const name = partitionActorName(pipeline, partition);
    let actor = this.#actors.get(name);
    if (!actor) {
      actor = new PartitionActorCore({
        store: libsqlActorStore(this.#db, pipeline, partition),
        scheduler: alarmScheduler(this.#db, ProcessHost.partitionAlarm(pipeline, partition)),
        runtime: this.#options.runtime,
        policy: this.#options.policy,
        afterRun: () => pokeAlerts(this),
      });
      this.#actors.set(name, actor);
    }
    return actor;
  }

  /** Drops instances with nothing in flight: their state is all in the database. */
  #evictIdle() {
    for (const [name, actor] of this.#actors) if (!actor.busy) this.#actors.delete(name);
  }

  #fire(alarm: DueAlarm): Promise<void> {
    const key = keyOf(alarm);
    const inFlight = this.#firing.get(key);
    if (inFlight) return inFlight;
    const handler = this.#handlers.get(alarm.kind);
    const run = (async () => {
      try {
        if (!handler) throw new Error(`no alarm handler for kind "${alarm.kind}"`);
        await handler(alarm.name);
        await settleAlarm(this.#db, alarm, null);
      } catch (error) {
        this.#log(`alarm ${alarm.kind} ${alarm.name} failed`, error);
        await settleAlarm(this.#db, alarm, Date.now() + FAILED_ALARM_DELAY_MS).catch(() => {});
      }
    })().finally(() => this.#firing.delete(key));
    this.#firing.set(key, run);
    return run;
  }

  #log(message: string, error: unknown) {
    void this.#options.runtime.runPromise(Effect.logError(message, error));
  }
}
