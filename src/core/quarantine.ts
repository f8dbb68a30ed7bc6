/**
 * `core_quarantine`: records that failed their contracts, kept whole with their reasons.
 *
 * The id is a hash of where the record came from and what it was, so re-running a
 * partition updates the same quarantine rows instead of piling up copies.
 */
import { Effect } from "effect";
import { dbTry } from "../db/db";
import { coreQuarantine } from "../db/schema";
import { excluded } from "../db/sql";
import { sha256Hex } from "./hash";
import type { RunContext } from "./pipeline";

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
