/**
 * Write-behind for a source run: up to `WRITES_IN_FLIGHT` batches are being written while the
 * next ones are parsed, decoded and screened, so decoding hides behind the database instead of
 * adding to it (remote libSQL: asynchronous requests; the embedded file in Node: the
 * `BulkWriter` thread, which runs them in order). Memory stays bounded: at most that many
 * batches wait. Checks that read what the run wrote join the writes first (`settleAll`), and
 * the run's end joins them all, so a failed write fails the run and nothing is reported
 * written early.
 */
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Fiber from "effect/Fiber";
import type { Db } from "../../db/db";
import type { DatabaseError } from "../../db/errors";

/** Write batches a run may have queued at the database before it waits for the oldest. */
export const WRITES_IN_FLIGHT = 2;

/** The writes of one run; `written()` counts the rows of those that completed. */
export const writeBehind = () => {
  const inFlight: Array<Fiber.RuntimeFiber<number, DatabaseError>> = [];
  let written = 0;
  const joinOldest = Effect.suspend(() => {
    const fiber = inFlight.shift();
    return fiber === undefined
      ? Effect.void
      : Effect.map(Fiber.join(fiber), (n) => {
          written += n;
        });
  });
  /** Joins every write in flight; if one failed, waits for the others, then fails. */
  const settleAll = Effect.suspend(() =>
    Effect.flatMap(Effect.forEach(inFlight.splice(0), Fiber.await), (exits) => {
      for (const exit of exits) if (Exit.isSuccess(exit)) written += exit.value;
      const failed = exits.find(Exit.isFailure);
      return failed === undefined ? Effect.void : Effect.failCause(failed.cause);
    }),
  );
  /** Waits until fewer than `WRITES_IN_FLIGHT` writes are in flight. */
  const awaitSlot: Effect.Effect<void, DatabaseError> = Effect.suspend(() =>
    inFlight.length >= WRITES_IN_FLIGHT ? Effect.zipRight(joinOldest, awaitSlot) : Effect.void,
  );
  /**
   * Forks a write. Yielding once lets it start now and hand its JSON to the database, rather
   * than when the caller next waits: a chunk held that long is promoted and lingers until a
   * full collection.
   */
  const start = (write: Effect.Effect<number, DatabaseError, Db>) =>
    Effect.zipLeft(
      Effect.map(Effect.forkDaemon(write), (fiber) => {
        inFlight.push(fiber);
      }),
      Effect.yieldNow(),
    );
  return { awaitSlot, settleAll, start, written: () => written };
};
