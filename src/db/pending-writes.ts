/**
 * Writes a run holds back to send with its next data write: the runner's manifest, readiness
 * and audit (`core/pipeline/run-writes.ts`). Over HTTP they then cost no round trip of their
 * own (docs/performance.md, the edge path).
 */
import type { InStatement, ResultSet } from "@libsql/client";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import type { DatabaseError } from "./errors";

/** The pending writes of the run in progress; absent outside a run. */
export class PendingWrites extends Context.Tag("dataspine/PendingWrites")<
  PendingWrites,
  {
    /**
     * Runs `statements` (idempotent upserts, like every write here) in one write transaction
     * with whatever is pending; resolves to the results of `statements`. On failure nothing of
     * it was written and the pending writes stay pending, so running it again is safe.
     */
    readonly writeWith: (
      operation: string,
      statements: ReadonlyArray<InStatement>,
    ) => Effect.Effect<ReadonlyArray<ResultSet>, DatabaseError>;
    /** Writes what is pending, if anything, on its own. */
    readonly flush: Effect.Effect<void, DatabaseError>;
    /**
     * Holds back the drizzle writes `write` makes (`captureWrites`), idempotent ones whose
     * result nobody reads; whatever it does otherwise (a store not over libSQL) runs now.
     */
    readonly hold: <E, R>(write: Effect.Effect<unknown, E, R>) => Effect.Effect<void, E, R>;
  }
>() {}

/**
 * Runs a write whose result nobody reads: held back with the run's pending writes during a
 * run, run at once outside one.
 */
export const writeLater = <E, R>(write: Effect.Effect<unknown, E, R>): Effect.Effect<void, E, R> =>
  Effect.flatMap(Effect.serviceOption(PendingWrites), (pending) =>
    Option.isSome(pending) ? pending.value.hold(write) : Effect.asVoid(write),
  );
