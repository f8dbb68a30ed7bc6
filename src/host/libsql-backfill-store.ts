/**
 * A backfill's storage in libSQL for the in-process host: `host_backfills` and
 * `host_backfill_partitions`, the columns of the coordinator's `backfill` /
 * `backfill_partitions` keyed by the backfill id.
 */
import { and, asc, count, eq, lte, min } from "drizzle-orm";
import * as Effect from "effect/Effect";
import {
  type BackfillStore,
  countsByStatus,
  type NewBackfill,
  newBackfillHeader,
  touchedHeader,
} from "../core/backfill/store";
import type { Database } from "../db/db";
import { hostBackfillPartitions, hostBackfills } from "../db/schema/host";

const INSERT_CHUNK = 500;

/** Stores the plan, every partition `pending`, in one batch; false when the id exists. */
export const createHostBackfill = async (db: Database, input: NewBackfill): Promise<boolean> => {
  const { plan } = input;
  const existing = await db
    .select({ id: hostBackfills.backfillId })
    .from(hostBackfills)
    .where(eq(hostBackfills.backfillId, input.backfillId))
    .get();
  if (existing) return false;
  const header = db.insert(hostBackfills).values(newBackfillHeader(input));
  const chunks = [];
  for (let i = 0; i < plan.partitions.length; i += INSERT_CHUNK) {
    chunks.push(
      db.insert(hostBackfillPartitions).values(
        plan.partitions.slice(i, i + INSERT_CHUNK).map((partitionKey, j) => ({
          backfillId: input.backfillId,
          ordinal: i + j,
          partitionKey,
        })),
      ),
    );
  }
  await db.batch([header, ...chunks]);
  return true;
};

/** The backfill `backfillId` as a `BackfillStore`. */
export const libsqlBackfillStore = (db: Database, backfillId: string): BackfillStore => {
  const p = hostBackfillPartitions;
  const ofThis = eq(p.backfillId, backfillId);
  const rows = (where: ReturnType<typeof and>, limit: number) =>
    Effect.promise(async () => {
      const found = await db.select().from(p).where(where).orderBy(asc(p.ordinal)).limit(limit);
      return found.map(({ backfillId: _, ...row }) => row);
    });
  return {
    header: Effect.promise(async () => {
      return db.select().from(hostBackfills).where(eq(hostBackfills.backfillId, backfillId)).get();
    }),
    partitionsIn: (status, limit) => rows(and(ofThis, eq(p.status, status)), limit),
    dueRetrying: (now, limit) =>
      rows(and(ofThis, eq(p.status, "retrying"), lte(p.checkAt, now)), limit),
    nextCheckAt: Effect.promise(async () => {
      const row = await db
        .select({ at: min(p.checkAt) })
        .from(p)
        .where(and(ofThis, eq(p.status, "retrying")))
        .get();
      return row?.at ?? null;
    }),
    updatePartition: (ordinal, patch) =>
      Effect.promise(async () => {
        await db
          .update(p)
          .set(patch)
          .where(and(ofThis, eq(p.ordinal, ordinal)));
      }),
    statusCounts: Effect.promise(async () =>
      countsByStatus(
        await db.select({ status: p.status, n: count() }).from(p).where(ofThis).groupBy(p.status),
      ),
    ),
    touch: (now, finished) =>
      Effect.promise(async () => {
        await db
          .update(hostBackfills)
          .set(touchedHeader(now, finished))
          .where(eq(hostBackfills.backfillId, backfillId));
      }),
    failures: Effect.promise(() =>
      db
        .select({ partition: p.partitionKey, error: p.error })
        .from(p)
        .where(and(ofThis, eq(p.status, "failed")))
        .orderBy(asc(p.ordinal)),
    ),
  };
};
