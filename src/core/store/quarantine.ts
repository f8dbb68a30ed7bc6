/**
 * `core_quarantine`: records that failed their contracts, kept whole with their reasons.
 *
 * The id is a hash of where the record came from and what it was, so re-running a
 * partition updates the same quarantine rows instead of piling up copies.
 */
import { and, asc, count, eq } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { dbTry } from "../../db/db";
import { coreQuarantine } from "../../db/schema/index";
import { excluded } from "../../db/sql";
import { sha256Hex } from "../model/digest";
import type { RunContext } from "../model/run-context";

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

/** Writes rejected records of one run; returns how many were written. */
export const quarantineRecords = (ctx: RunContext, records: ReadonlyArray<QuarantinedRecord>) =>
  records.length === 0
    ? Effect.succeed(0)
    : Effect.gen(function* () {
        const rows = yield* Effect.forEach(records, (r) =>
          sha256Hex(
            [ctx.domain, ctx.stage, ctx.partitionKey, r.source, r.recordIndex, r.raw].join(
              "\u0000",
            ),
          ).pipe(
            Effect.map((hash) => ({
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
            })),
          ),
        );
        yield* dbTry("quarantine.upsert", (db) =>
          db
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
      });

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

/**
 * A sample of one partition's quarantined records (the first `limit` by position, default
 * 20) and how many there are in all.
 */
export const quarantineSample = (
  domain: string,
  stage: string,
  partitionKey: string,
  limit = 20,
) => {
  const where = and(
    eq(coreQuarantine.domain, domain),
    eq(coreQuarantine.partitionKey, partitionKey),
    eq(coreQuarantine.stage, stage),
  );
  return dbTry("quarantine.sample", async (db) => {
    const [rows, total] = await Promise.all([
      db
        .select()
        .from(coreQuarantine)
        .where(where)
        .orderBy(asc(coreQuarantine.recordIndex), asc(coreQuarantine.source))
        .limit(limit),
      db.select({ n: count() }).from(coreQuarantine).where(where),
    ]);
    return {
      total: total[0]?.n ?? 0,
      records: rows.map(
        (r): QuarantineView => ({
          quarantine_id: r.quarantineId,
          source: r.source,
          record_index: r.recordIndex,
          raw_record: r.rawRecord,
          reasons: JSON.parse(r.reasons) as ReadonlyArray<string>,
          capture_id: r.captureId,
          quarantined_at: r.quarantinedAt,
        }),
      ),
    };
  });
};
