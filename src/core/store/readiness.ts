/**
 * `core_data_readiness`: whether the output of one (domain, stage, partition) is complete and
 * may be used as an input. The runner marks every partition run it finishes; quality gates,
 * calculation dependencies and `GET /readiness` read it.
 */
import { and, asc, eq, type SQL } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { addDays, dayOfWeek, parseIsoDate } from "../../calendar/dates";
import { Db, dbTryOn } from "../../db/db";
import { coreDataReadiness } from "../../db/schema/core";
import type { ReadinessRow } from "./memory";

/** One readiness row as the API shows it. */
export interface ReadinessView {
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

/** One readiness check of a partition's stage. */
export interface ReadinessMark {
  readonly domain: string;
  readonly stage: string;
  readonly partitionKey: string;
  readonly isReady: boolean;
  readonly checkedAt: string;
}

/** Filters of a listing; default limit 500. */
export interface ReadinessFilter {
  readonly domain?: string;
  readonly weekEnding?: string;
  readonly limit?: number;
}

export const toReadinessRow = (entry: ReadinessMark): ReadinessRow => ({
  domain: entry.domain,
  stage: entry.stage,
  partitionKey: entry.partitionKey,
  weekEnding: weekEndingOfPartition(entry.partitionKey),
  isReady: entry.isReady ? 1 : 0,
  checkedAt: entry.checkedAt,
});

export const toReadiness = (r: ReadinessRow): ReadinessView => ({
  domain: r.domain,
  stage: r.stage,
  partition_key: r.partitionKey,
  week_ending: r.weekEnding,
  is_ready: r.isReady === 1,
  checked_at: r.checkedAt,
});

/** Whether partitions' outputs may be used, in `core_data_readiness`. */
export class Readiness extends Effect.Service<Readiness>()("dataspine/Readiness", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** Records whether a partition's stage is ready (upsert: the latest check wins). */
      mark: (entry: ReadinessMark) => {
        const row = toReadinessRow(entry);
        return run("readiness.mark", (d) =>
          d
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
      },
      /** Whether one (domain, stage, partition) is marked ready. Never checked ⇒ not ready. */
      isReady: (domain: string, stage: string, partitionKey: string) =>
        run("readiness.get", (d) =>
          d
            .select({ isReady: coreDataReadiness.isReady })
            .from(coreDataReadiness)
            .where(
              and(
                eq(coreDataReadiness.domain, domain),
                eq(coreDataReadiness.stage, stage),
                eq(coreDataReadiness.partitionKey, partitionKey),
              ),
            ),
        ).pipe(Effect.map((rows) => rows.length > 0 && rows.every((r) => r.isReady === 1))),
      /** Rows filtered by domain and/or week ending, in (week, domain, stage, partition) order. */
      list: (filter: ReadinessFilter) =>
        run("readiness.list", (d) => {
          const where: Array<SQL> = [];
          if (filter.domain !== undefined) where.push(eq(coreDataReadiness.domain, filter.domain));
          if (filter.weekEnding !== undefined) {
            where.push(eq(coreDataReadiness.weekEnding, filter.weekEnding));
          }
          return d
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
        }).pipe(Effect.map((rows) => rows.map(toReadiness))),
    };
  }),
  accessors: true,
}) {}

/** Records whether a partition's stage is ready (upsert: the latest check wins). */
export const markReadiness = Readiness.mark;

/** Whether one (domain, stage, partition) is marked ready. Never checked ⇒ not ready. */
export const isReady = Readiness.isReady;

/** Readiness rows filtered by domain and/or week ending, in (week, stage, partition) order. */
export const listReadiness = Readiness.list;
