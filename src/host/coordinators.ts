/**
 * Backfill and replay coordinators in the in-process host: the same slices as the Durable
 * Objects (`core/backfill/slice.ts`, `reconciliation/replay-slice.ts`), their state in libSQL,
 * each advanced by its row in `host_alarms` when the host's poller finds it due, and mirrored
 * into `core_operations` as the Durable Objects mirror theirs.
 */
import * as Effect from "effect/Effect";
import { pokeAlerts } from "../actors/alert-dispatcher-core";
import type {
  ActorBindings,
  BackfillCoordinatorApi,
  ReplayCoordinatorApi,
  ReplayState,
} from "../actors/contract";
import { actorPorts, SLICE_PER_CONCURRENCY } from "../actors/coordinator-ports";
import { backfillOperation, mirrorOperation, replayOperation } from "../actors/operation-mirror";
import type { ActorRuntime } from "../actors/partition-actor-core";
import { replyOf } from "../actors/reply";
import { runSlice } from "../core/backfill/slice";
import { readProgress } from "../core/backfill/store";
import type { Database } from "../db/db";
import { PIPELINES } from "../domains/registry";
import {
  createReplay,
  readPartitionOutput,
  readReplay,
  runReplaySlice,
} from "../reconciliation/replay-slice";
import { type AlarmKey, deleteAlarm, setAlarm } from "./alarms";
import { createHostBackfill, libsqlBackfillStore } from "./libsql-backfill-store";
import { libsqlReplayStorage } from "./libsql-kv";

/** What the coordinators need from the host. */
export interface CoordinatorHost {
  readonly db: Database;
  readonly runtime: ActorRuntime;
  readonly actors: ActorBindings;
}

/** Alarm kinds of the coordinators in `host_alarms`. */
export const BACKFILL_ALARM = "backfill";
export const REPLAY_ALARM = "replay";

const backfillAlarm = (backfillId: string): AlarmKey => ({
  kind: BACKFILL_ALARM,
  name: backfillId,
});
const replayAlarm = (replayId: string): AlarmKey => ({ kind: REPLAY_ALARM, name: replayId });
const replayOwner = (replayId: string) => `replay:${replayId}`;

/** The coordinator of `backfillId`. */
export const hostBackfillCoordinator = (
  host: CoordinatorHost,
  backfillId: string,
): BackfillCoordinatorApi => {
  const progress = () => readBackfill(host, backfillId);
  return {
    start: (input) =>
      replyOf(async () => {
        const now = new Date();
        const created = await createHostBackfill(host.db, {
          backfillId: input.backfillId,
          plan: input.plan,
          concurrency: input.concurrency,
          sliceSize: input.concurrency * SLICE_PER_CONCURRENCY,
          now: now.toISOString(),
        });
        // The first slice runs in an alarm, not in the request that started the backfill.
        if (created && input.plan.partitions.length > 0) {
          await setAlarm(host.db, backfillAlarm(backfillId), now.getTime());
        }
        const current = await progress();
        if (created && current)
          await host.runtime.runPromise(mirrorOperation(backfillOperation(current)));
        return current;
      }),
    progress: () => replyOf(progress),
  };
};

const readBackfill = (host: CoordinatorHost, backfillId: string) =>
  host.runtime.runPromise(readProgress(libsqlBackfillStore(host.db, backfillId)));

/** One slice of the backfill `backfillId` (its alarm), then its `core_operations` row. */
export const runBackfillAlarm = async (host: CoordinatorHost, backfillId: string) => {
  const alarm = backfillAlarm(backfillId);
  await host.runtime.runPromise(
    runSlice(
      libsqlBackfillStore(host.db, backfillId),
      actorPorts(host.actors, {
        setAlarm: (atMs) => setAlarm(host.db, alarm, atMs),
        deleteAlarm: () => deleteAlarm(host.db, alarm),
      }),
    ),
  );
  const progress = await readBackfill(host, backfillId);
  if (progress) await host.runtime.runPromise(mirrorOperation(backfillOperation(progress)));
};

const replayStorage = (host: CoordinatorHost, replayId: string) =>
  libsqlReplayStorage(host.db, replayOwner(replayId), replayAlarm(replayId));

/** The coordinator of `replayId`. */
export const hostReplayCoordinator = (
  host: CoordinatorHost,
  replayId: string,
): ReplayCoordinatorApi => {
  const storage = replayStorage(host, replayId);
  const state = async () => (await host.runtime.runPromise(readReplay(storage))) ?? null;
  return {
    start: (input) =>
      replyOf(async () => {
        await host.runtime.runPromise(createReplay(storage, input, new Date()));
        return mirrorReplay(host, await state());
      }),
    state: () => replyOf(state),
    output: (index) => replyOf(() => host.runtime.runPromise(readPartitionOutput(storage, index))),
  };
};

/** Writes the replay's `core_operations` row; answers the state it wrote. */
const mirrorReplay = async (host: CoordinatorHost, state: ReplayState | null) => {
  if (state) {
    await host.runtime.runPromise(
      mirrorOperation(replayOperation(state, new Date().toISOString())),
    );
  }
  return state;
};

/**
 * One slice of the replay `replayId` (its alarm), then its `core_operations` row; a failed
 * slice waits for its watchdog.
 */
export const runReplayAlarm = async (host: CoordinatorHost, replayId: string) => {
  const storage = replayStorage(host, replayId);
  await host.runtime.runPromise(
    runReplaySlice(PIPELINES, storage).pipe(
      Effect.catchAllCause((cause) =>
        Effect.logError("replay slice failed; the watchdog alarm resumes it", cause),
      ),
    ),
  );
  // Reconciliation writes anomalies: queue their alerts.
  await pokeAlerts(host.actors);
  await mirrorReplay(host, (await host.runtime.runPromise(readReplay(storage))) ?? null);
};
