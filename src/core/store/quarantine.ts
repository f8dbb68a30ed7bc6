/**
 * The `Quarantine` store, `core_quarantine`: records that failed their contracts, kept whole
 * with their reasons.
 *
 * The id is a hash of where the record came from and what it was, so re-running a
 * partition updates the same quarantine rows instead of piling up copies.
 */
import { and, asc, count, eq } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreQuarantine } from "../../db/schema/core";
import { excluded } from "../../db/sql";
import { sha256Hex } from "../model/digest";
import type { RunContext } from "../model/run-context";
import type { PartitionScope } from "./manifest-rows";
import type { QuarantineRow } from "./memory";

/** One rejected record. */
export interface QuarantinedRecord {
  readonly source: string;
  /** Position in the payload (line number for text formats, array index for JSON). */
  readonly recordIndex: number;
  /** The record exactly as received (JSON text for JSON payloads, the line for CSV). */
  readonly raw: string;
  /** Every violated contract: `CONTRACT_NAME: specific violation`. */
  readonly reasons: ReadonlyArray<string>;
}

/** A quarantined record as operators see it. */
export interface QuarantineView {
  readonly quarantine_id: string;
  readonly source: string;
  readonly record_index: number;
  readonly raw_record: string;
  readonly reasons: ReadonlyArray<string>;
  readonly capture_id: string;
  readonly quarantined_at: string;
}

/** A sample of one partition's quarantined records and how many there are in all. */
export interface QuarantineSample {
  readonly total: number;
  readonly records: ReadonlyArray<QuarantineView>;
}

/** The stored rows of one run's rejected records (ids hashed from where and what). */
export const toQuarantineRows = (ctx: RunContext, records: ReadonlyArray<QuarantinedRecord>) =>
  Effect.forEach(records, (r) =>
    sha256Hex(
      [ctx.domain, ctx.stage, ctx.partitionKey, r.source, r.recordIndex, r.raw].join("\u0000"),
    ).pipe(
      Effect.map(
        (hash): QuarantineRow => ({
          quarantineId: `q_${hash.slice(0, 32)}`,
          domain: ctx.domain,
          stage: ctx.stage,
          partitionKey: ctx.partitionKey,
          source: r.source,
          recordIndex: r.recordIndex,
          rawRecord: r.raw,
          reasons: JSON.stringify(r.reasons),
          captureId: ctx.captureId,
          executionId: ctx.executionId,
          quarantinedAt: ctx.capturedAt,
        }),
      ),
    ),
  );

export const toQuarantineView = (r: QuarantineRow): QuarantineView => ({
  quarantine_id: r.quarantineId,
  source: r.source,
  record_index: r.recordIndex,
  raw_record: r.rawRecord,
  reasons: JSON.parse(r.reasons) as ReadonlyArray<string>,
  capture_id: r.captureId,
  quarantined_at: r.quarantinedAt,
});

/** Records that failed their contracts, in `core_quarantine`. */
export class Quarantine extends Effect.Service<Quarantine>()("dataspine/Quarantine", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /**
       * Writes rejected records of one run (a record seen before keeps its row: its reasons,
       * capture and time are the latest run's); returns how many were written.
       */
      record: (ctx: RunContext, records: ReadonlyArray<QuarantinedRecord>) =>
        records.length === 0
          ? Effect.succeed(0)
          : Effect.gen(function* () {
              const rows = yield* toQuarantineRows(ctx, records);
              yield* run("quarantine.upsert", (d) =>
                d
                  .insert(coreQuarantine)
                  .values(rows)
                  .onConflictDoUpdate({
                    target: coreQuarantine.quarantineId,
                    set: {
                      reasons: excluded("reasons"),
                      captureId: excluded("capture_id"),
                      executionId: excluded("execution_id"),
                      quarantinedAt: excluded("quarantined_at"),
                    },
                  }),
              );
              return rows.length;
            }),
      /** The first `limit` records of a partition by position (then source), and the total. */
      sample: (scope: PartitionScope, limit: number) => {
        const where = and(
          eq(coreQuarantine.domain, scope.domain),
          eq(coreQuarantine.partitionKey, scope.partitionKey),
          eq(coreQuarantine.stage, scope.stage),
        );
        return run("quarantine.sample", async (d): Promise<QuarantineSample> => {
          const [rows, total] = await Promise.all([
            d
              .select()
              .from(coreQuarantine)
              .where(where)
              .orderBy(asc(coreQuarantine.recordIndex), asc(coreQuarantine.source))
              .limit(limit),
            d.select({ n: count() }).from(coreQuarantine).where(where),
          ]);
          return { total: total[0]?.n ?? 0, records: rows.map(toQuarantineView) };
        });
      },
    };
  }),
  accessors: true,
}) {}

/** Writes rejected records of one run; returns how many were written. */
export const quarantineRecords = Quarantine.record;

/**
 * A sample of one partition's quarantined records (the first `limit` by position, default
 * 20) and how many there are in all.
 */
export const quarantineSample = (domain: string, stage: string, partitionKey: string, limit = 20) =>
  Quarantine.sample({ domain, stage, partitionKey }, limit);
