/**
 * `core_data_readiness`: whether the output of one (domain, stage, partition) is complete and
 * may be used as an input. The runner marks every partition run it finishes; quality gates,
 * calculation dependencies and `GET /readiness` read it.
 */
import { and, asc, eq, type SQL } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { addDays, dayOfWeek, parseIsoDate } from "../../calendar/dates";
import { dbTry } from "../../db/db";
import { coreDataReadiness } from "../../db/schema/index";

/** One readiness row as the API shows it. */
export interface Readiness {
  readonly domain: string;
  readonly stage: string;
  readonly partition_key: string;
  readonly week_ending: string;
  readonly is_ready: boolean;
  readonly checked_at: string;
}

/**
 * The week ending (Friday) of a partition key that starts with `YYYY-MM-DD`: the date itself
 * for a Friday, else the Friday of its Monday–Sunday week. FINRA's week ending stays the
 * Friday even when that Friday is a market holiday. Keys without a date give "".
 */
export const weekEndingOfPartition = (partitionKey: string): string => {
  const date = parseIsoDate(partitionKey.slice(0, 10));
  if (date === undefined) return "";
  return addDays(date, 4 - dayOfWeek(date));
};

/** Records whether a partition's stage is ready (upsert: the latest check wins). */
export const markReadiness = (entry: {
  readonly domain: string;
  readonly stage: string;
  readonly partitionKey: string;
  readonly isReady: boolean;
  readonly checkedAt: string;
}) => {
  const row = {
    domain: entry.domain,
    stage: entry.stage,
    partitionKey: entry.partitionKey,
    weekEnding: weekEndingOfPartition(entry.partitionKey),
    isReady: entry.isReady ? 1 : 0,
    checkedAt: entry.checkedAt,
  };
  return dbTry("readiness.mark", (db) =>
    db
      .insert(coreDataReadiness)
      .values(row)
      .onConflictDoUpdate({
        target: [
          coreDataReadiness.domain,
          coreDataReadiness.stage,
          coreDataReadiness.partitionKey,
          coreDataReadiness.weekEnding,
        ],
        set: { isReady: row.isReady, checkedAt: row.checkedAt },
      }),
  ).pipe(Effect.asVoid);
};

const toReadiness = (r: typeof coreDataReadiness.$inferSelect): Readiness => ({
  domain: r.domain,
  stage: r.stage,
  partition_key: r.partitionKey,
  week_ending: r.weekEnding,
  is_ready: r.isReady === 1,
  checked_at: r.checkedAt,
});

/** Whether one (domain, stage, partition) is marked ready. Never checked ⇒ not ready. */
export const isReady = (domain: string, stage: string, partitionKey: string) =>
  dbTry("readiness.get", (db) =>
    db
      .select({ isReady: coreDataReadiness.isReady })
      .from(coreDataReadiness)
      .where(
        and(
          eq(coreDataReadiness.domain, domain),
          eq(coreDataReadiness.stage, stage),
          eq(coreDataReadiness.partitionKey, partitionKey),
        ),
      ),
  ).pipe(Effect.map((rows) => rows.length > 0 && rows.every((r) => r.isReady === 1)));

/** Readiness rows filtered by domain and/or week ending, in (week, stage, partition) order. */
export const listReadiness = (filter: {
  readonly domain?: string;
  readonly weekEnding?: string;
  readonly limit?: number;
}) =>
  dbTry("readiness.list", (db) => {
    const where: Array<SQL> = [];
    if (filter.domain !== undefined) where.push(eq(coreDataReadiness.domain, filter.domain));
    if (filter.weekEnding !== undefined) {
      where.push(eq(coreDataReadiness.weekEnding, filter.weekEnding));
    }
    return db
      .select()
      .from(coreDataReadiness)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(
        asc(coreDataReadiness.weekEnding),
        asc(coreDataReadiness.domain),
        asc(coreDataReadiness.stage),
        asc(coreDataReadiness.partitionKey),
      )
      .limit(filter.limit ?? 500);
  }).pipe(Effect.map((rows) => rows.map(toReadiness)));
