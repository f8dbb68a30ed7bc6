/**
 * An actor's key-value storage in libSQL (`host_kv`), for the in-process host: what a
 * replay coordinator keeps in its Durable Object storage on Workers.
 */
import { and, asc, eq, gt, gte, lt } from "drizzle-orm";
import type { Database } from "../db/db";
import { hostKv } from "../db/schema/host";
import type { ReplayStorage } from "../reconciliation/replay-slice";
import { type AlarmKey, deleteAlarm, setAlarm } from "./alarms";

/** Keys are ASCII: every key with the prefix sorts below prefix + U+FFFF. */
const PREFIX_END = "\uffff";

/** The storage of the actor `owner`, whose alarm is `alarm`. */
export const libsqlReplayStorage = (
  db: Database,
  owner: string,
  alarm: AlarmKey,
): ReplayStorage => ({
  get: async <T>(key: string) => {
    const row = await db
      .select({ value: hostKv.value })
      .from(hostKv)
      .where(and(eq(hostKv.owner, owner), eq(hostKv.key, key)))
      .get();
    return row ? (JSON.parse(row.value) as T) : undefined;
  },
  put: async (entries) => {
    const statements = Object.entries(entries).map(([key, value]) => {
      const text = JSON.stringify(value);
      return db
        .insert(hostKv)
        .values({ owner, key, value: text })
        .onConflictDoUpdate({ target: [hostKv.owner, hostKv.key], set: { value: text } });
    });
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
  },
  list: async <T>(
    prefix: string,
    options: { readonly startAfter?: string; readonly limit: number },
  ) => {
    const rows = await db
      .select({ key: hostKv.key, value: hostKv.value })
      .from(hostKv)
      .where(
        and(
          eq(hostKv.owner, owner),
          gte(hostKv.key, prefix),
          lt(hostKv.key, prefix + PREFIX_END),
          options.startAfter === undefined ? undefined : gt(hostKv.key, options.startAfter),
        ),
      )
      .orderBy(asc(hostKv.key))
      .limit(options.limit);
    return new Map(rows.map((r) => [r.key, JSON.parse(r.value) as T]));
  },
  setAlarm: (atMs) => setAlarm(db, alarm, atMs),
  deleteAlarm: () => deleteAlarm(db, alarm),
});
