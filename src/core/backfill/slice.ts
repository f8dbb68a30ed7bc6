/**
 * One slice of a backfill: the body of each coordinator alarm (the `BackfillCoordinator`
 * Durable Object on Workers, the host's backfill alarm on Deno).
 *
 * A slice (1) re-arms the alarm as a watchdog, so a crashed invocation always has a
 * successor; (2) settles partitions left `running` by a dead invocation, adopting the
 * actor's result when the actor ran after the dispatch, so no work is repeated; (3) asks the
 * actors of `retrying` partitions how their own retries went (those due, or all of them when
 * the slice has nothing else to do); (4) dispatches the next `sliceSize` pending partitions
 * in plan order, `concurrency` at a time, recording each the moment it ends; (5) arms the
 * next alarm, or finishes the backfill.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import type { RunError } from "../model/run-result";
import type { BackfillHeader, BackfillPartitionRow, BackfillStatus, BackfillStore } from "./store";

/** What the coordinator learns of a partition from its actor. */
export interface PartitionView {
  readonly status: string;
  readonly capture_id: string | null;
  readonly execution_id: string | null;
  readonly error: RunError | null;
  readonly started_at: string | null;
  readonly next_retry_at: string | null;
}

/** The outside world of a slice: the partition actors and the alarm. */
export interface CoordinatorPorts {
  /** Runs the partition through its actor (joining a run in flight). May reject (RPC). */
  readonly run: (pipeline: string, partition: string, batchId: string) => Promise<PartitionView>;
  /** The actor's current state, null if it never ran. May reject (RPC). */
  readonly check: (pipeline: string, partition: string) => Promise<PartitionView | null>;
  readonly setAlarm: (atMs: number) => Promise<void>;
  readonly deleteAlarm: () => Promise<void>;
}

/** How a slice ended: the backfill finished, or the next alarm is armed at `nextAt`. */
export type SliceResult =
  | { readonly done: true; readonly status: BackfillStatus }
  | { readonly done: false; readonly nextAt: number };

/** A partition handed to its actor this many times without an answer is failed. */
export const MAX_DISPATCHES = 3;
/** The watchdog: when the next slice runs if this one dies without re-arming. */
export const WATCHDOG_MS = 5 * 60_000;
const RETRY_CHECK_FALLBACK_MS = 15_000;
const RECHECK_MS = 5_000;
const CHECK_MARGIN_MS = 1_000;

/** What to record for a partition after hearing from its actor. */
export type Settlement =
  | {
      readonly kind: "final";
      readonly status: "complete" | "no_data_expected" | "skipped" | "failed";
      readonly view: PartitionView;
    }
  | { readonly kind: "retrying"; readonly checkAtMs: number }
  | { readonly kind: "redispatch" };

/** Settles the answer of a dispatch (`run`). */
export const settleRun = (view: PartitionView, nowMs: number): Settlement => {
  switch (view.status) {
    case "complete":
    case "no_data_expected":
    case "skipped":
    case "failed":
      return { kind: "final", status: view.status, view };
    case "retrying": {
      const retryAt = view.next_retry_at ? Date.parse(view.next_retry_at) : Number.NaN;
      return {
        kind: "retrying",
        checkAtMs: Number.isFinite(retryAt)
          ? // Never sooner than RECHECK_MS: an actor whose alarm is late must not cause a spin.
            Math.max(nowMs + RECHECK_MS, retryAt + CHECK_MARGIN_MS)
          : nowMs + RETRY_CHECK_FALLBACK_MS,
      };
    }
    default:
      return { kind: "retrying", checkAtMs: nowMs + RECHECK_MS };
  }
};

/**
 * Settles the actor's state (`check`) for a partition dispatched at `dispatchedAt`: a run
 * that started before the dispatch is not ours (dispatch again); a run in flight is joined
 * by dispatching again (the actor runs one run at a time).
 */
export const settleCheck = (
  view: PartitionView | null,
  dispatchedAt: string | null,
  nowMs: number,
): Settlement => {
  if (view === null || view.started_at === null) return { kind: "redispatch" };
  if (dispatchedAt !== null && view.started_at < dispatchedAt) return { kind: "redispatch" };
  if (view.status === "running" || view.status === "pending") return { kind: "redispatch" };
  return settleRun(view, nowMs);
};

const iso = (ms: number) => new Date(ms).toISOString();

const errorOf = (cause: unknown, tag: string): RunError => ({
  tag,
  message: cause instanceof Error ? cause.message : String(cause),
  retryable: true,
});

const record = (store: BackfillStore, row: BackfillPartitionRow, s: Settlement, nowMs: number) =>
  store.updatePartition(
    row.ordinal,
    s.kind === "final"
      ? {
          status: s.status,
          captureId: s.view.capture_id,
          executionId: s.view.execution_id,
          error: s.view.error ? JSON.stringify(s.view.error) : null,
          checkAt: null,
          finishedAt: iso(nowMs),
        }
      : s.kind === "retrying"
        ? { status: "retrying", checkAt: iso(s.checkAtMs) }
        : { status: "pending", checkAt: null },
  );

/** Asks the actors of `rows` where they stand and records it. */
const checkAll = (
  store: BackfillStore,
  ports: CoordinatorPorts,
  header: BackfillHeader,
  rows: ReadonlyArray<BackfillPartitionRow>,
) =>
  Effect.forEach(
    rows,
    (row) =>
      Effect.gen(function* () {
        const answer = yield* Effect.either(
          Effect.tryPromise(() => ports.check(header.pipeline, row.partitionKey)),
        );
        const now = yield* Clock.currentTimeMillis;
        if (answer._tag === "Right") {
          return yield* record(store, row, settleCheck(answer.right, row.dispatchedAt, now), now);
        }
        yield* Effect.logWarning("backfill check failed", {
          partition: row.partitionKey,
          error: String(answer.left.error),
        });
        // Unreachable actor: a lost dispatch is dispatched again (dispatches are counted,
        // so this ends); a retrying partition is looked at again later, not in a spin.
        yield* record(
          store,
          row,
          row.status === "running"
            ? { kind: "redispatch" }
            : { kind: "retrying", checkAtMs: now + RETRY_CHECK_FALLBACK_MS },
          now,
        );
      }),
    { concurrency: header.concurrency, discard: true },
  );

/** Hands one partition to its actor and records the answer. */
const dispatch = (
  store: BackfillStore,
  ports: CoordinatorPorts,
  header: BackfillHeader,
  row: BackfillPartitionRow,
) =>
  Effect.gen(function* () {
    const dispatchedAt = iso(yield* Clock.currentTimeMillis);
    // Recorded before the call, so a crash leaves evidence of what was in flight.
    yield* store.updatePartition(row.ordinal, {
      status: "running",
      dispatches: row.dispatches + 1,
      dispatchedAt,
    });
    const view = yield* Effect.tryPromise(() =>
      ports.run(header.pipeline, row.partitionKey, header.backfillId),
    );
    const now = yield* Clock.currentTimeMillis;
    yield* record(store, row, settleRun(view, now), now);
  }).pipe(
    // A thrown RPC (actor reset, overload) is infrastructure, not the partition's fault:
    // the partition goes back to pending until it has had MAX_DISPATCHES chances.
    Effect.catchAll((e) =>
      store.updatePartition(row.ordinal, {
        status: "pending",
        error: JSON.stringify(errorOf(e.error, "DispatchFailed")),
      }),
    ),
  );

/** Runs one slice; never fails (a defect is logged and the watchdog alarm stays armed). */
export const runSlice = (
  store: BackfillStore,
  ports: CoordinatorPorts,
): Effect.Effect<SliceResult | undefined> =>
  Effect.gen(function* () {
    const header = yield* store.header;
    if (header?.status !== "running") return undefined;
    const startMs = yield* Clock.currentTimeMillis;
    yield* Effect.promise(() => ports.setAlarm(startMs + WATCHDOG_MS));

    // No slice of this instance is in flight (the coordinator serialises them), so any
    // `running` row was left by an invocation that died mid-dispatch.
    yield* checkAll(
      store,
      ports,
      header,
      yield* store.partitionsIn("running", Number.MAX_SAFE_INTEGER),
    );
    const due = yield* store.dueRetrying(iso(startMs), header.sliceSize);
    // Woken before any retry is due with nothing else to do (a manual or early alarm):
    // looking costs one status call per partition, so look rather than sleep again.
    const idle = due.length === 0 && (yield* store.partitionsIn("pending", 1)).length === 0;
    yield* checkAll(
      store,
      ports,
      header,
      idle ? yield* store.partitionsIn("retrying", header.sliceSize) : due,
    );

    const batch: Array<BackfillPartitionRow> = [];
    for (const row of yield* store.partitionsIn("pending", header.sliceSize)) {
      if (row.dispatches >= MAX_DISPATCHES) {
        const last = row.error ? (JSON.parse(row.error) as RunError).message : "no answer";
        yield* store.updatePartition(row.ordinal, {
          status: "failed",
          error: JSON.stringify({
            tag: "DispatchFailed",
            message: `no answer from the partition actor after ${row.dispatches} dispatches: ${last}`,
            retryable: true,
          } satisfies RunError),
          finishedAt: iso(startMs),
        });
        continue;
      }
      batch.push(row);
    }
    yield* Effect.forEach(batch, (row) => dispatch(store, ports, header, row), {
      concurrency: header.concurrency,
      discard: true,
    });

    const nowMs = yield* Clock.currentTimeMillis;
    const counts = yield* store.statusCounts;
    if (counts.pending + counts.running > 0) {
      yield* Effect.promise(() => ports.setAlarm(nowMs));
      yield* store.touch(iso(nowMs));
      return { done: false, nextAt: nowMs } as const;
    }
    if (counts.retrying > 0) {
      const at = Math.max(nowMs, Date.parse((yield* store.nextCheckAt) ?? iso(nowMs)));
      yield* Effect.promise(() => ports.setAlarm(at));
      yield* store.touch(iso(nowMs));
      return { done: false, nextAt: at } as const;
    }
    const status = counts.failed > 0 ? "failed" : "complete";
    // The alarm goes first: once the backfill reads as finished, nothing is scheduled.
    yield* Effect.promise(() => ports.deleteAlarm());
    yield* store.touch(iso(nowMs), status);
    return { done: true, status } as const;
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.logError("backfill slice failed; the watchdog alarm will retry", defect).pipe(
        Effect.as(undefined),
      ),
    ),
    Effect.withSpan("BackfillCoordinator.slice"),
  );
