/**
 * Durable alarms for the in-process host: one row per actor in `host_alarms`, set and deleted
 * as a Durable Object sets and deletes its alarm, found by the host's poller when due.
 */
import { and, asc, eq, lte } from "drizzle-orm";
import * as Effect from "effect/Effect";
import type { RetryScheduler } from "../actors/state-store";
import type { Database } from "../db/db";
import { hostAlarms } from "../db/schema/host";

/** Which actor an alarm wakes: its kind (`partition`, `backfill`, `replay`, …) and name. */
export interface AlarmKey {
  readonly kind: string;
  readonly name: string;
}

/** A due alarm, as the poller reads it. */
export interface DueAlarm extends AlarmKey {
  readonly dueAt: number;
}

/** Sets (or moves) the actor's alarm to `atMs`. */
export const setAlarm = async (db: Database, key: AlarmKey, atMs: number): Promise<void> => {
  const dueAt = Math.floor(atMs);
  await db
    .insert(hostAlarms)
    .values({ ...key, dueAt })
    .onConflictDoUpdate({ target: [hostAlarms.kind, hostAlarms.name], set: { dueAt } });
};

/** Deletes the actor's alarm, if any. */
export const deleteAlarm = async (db: Database, key: AlarmKey): Promise<void> => {
  await db
    .delete(hostAlarms)
    .where(and(eq(hostAlarms.kind, key.kind), eq(hostAlarms.name, key.name)));
};

/** When the actor's alarm is due, or null. */
export const alarmAt = async (db: Database, key: AlarmKey): Promise<number | null> => {
  const row = await db
    .select({ dueAt: hostAlarms.dueAt })
    .from(hostAlarms)
    .where(and(eq(hostAlarms.kind, key.kind), eq(hostAlarms.name, key.name)))
    .get();
  return row?.dueAt ?? null;
};

/** Alarms due at `nowMs`, earliest first. */
export const dueAlarms = (
  db: Database,
  nowMs: number,
  limit: number,
): Promise<ReadonlyArray<DueAlarm>> =>
  db
    .select()
    .from(hostAlarms)
    .where(lte(hostAlarms.dueAt, nowMs))
    .orderBy(asc(hostAlarms.dueAt))
    .limit(limit);

/**
 * Moves an alarm that was due at `dueAt` to `nextMs`, or deletes it when `nextMs` is null;
 * an alarm the handler set again meanwhile (another due time) is left as it is.
 */
export const settleAlarm = async (
  db: Database,
  alarm: DueAlarm,
  nextMs: number | null,
): Promise<void> => {
  const same = and(
    eq(hostAlarms.kind, alarm.kind),
    eq(hostAlarms.name, alarm.name),
    eq(hostAlarms.dueAt, alarm.dueAt),
  );
  if (nextMs === null) await db.delete(hostAlarms).where(same);
  else
    await db
      .update(hostAlarms)
      .set({ dueAt: Math.floor(nextMs) })
      .where(same);
};

/** A partition actor's `RetryScheduler` over its row in `host_alarms`. */
export const alarmScheduler = (db: Database, key: AlarmKey): RetryScheduler => ({
  schedule: (at) => Effect.promise(() => setAlarm(db, key, at.getTime())),
  cancel: Effect.promise(() => deleteAlarm(db, key)),
});
