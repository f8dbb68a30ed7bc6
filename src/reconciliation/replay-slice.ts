/**
 * Replays that outlive a request: the plan and progress of one replay in a key-value store
 * (the `ReplayCoordinator` Durable Object's storage), advanced one slice per alarm.
 *
 * A slice (1) re-arms the alarm as a watchdog, so a crashed invocation has a successor;
 * (2) replays the next partitions in plan order, storing each one's canonical JSONL, hash
 * and reconciliation (a retryable source failure waits for a later alarm, up to
 * {@link MAX_PARTITION_ATTEMPTS}); (3) after the last partition, hashes the stored output in
 * order, which is the same byte stream the CLI writes, and closes the replay.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type { BackfillPlan } from "../core/backfill/backfill";
import type { BackfillParams } from "../core/backfill/range";
import { PartitionKey } from "../core/model/ids";
import type { Pipeline, PipelineServices } from "../core/pipeline/pipeline";
import type { Registry } from "../core/pipeline/registry";
import { Sha256 } from "./incremental-sha256";
import { reconcilePartition } from "./reconcile";
import { recordReplay, replayable, replayPartition } from "./replay";

/** Partitions replayed per alarm invocation. */
export const SLICE_SIZE = 8;
/** Attempts of one partition whose source keeps failing transiently. */
export const MAX_PARTITION_ATTEMPTS = 3;
/** Largest stored piece of a partition's output (storage values are bounded). */
const CHUNK_CHARS = 256 * 1024;
/** Watchdog: a slice that dies is resumed this long after it began. */
const WATCHDOG_MS = 60_000;

/** The storage a coordinator offers (Durable Object storage; a Map in tests). */
export interface ReplayStorage {
  readonly get: <T>(key: string) => Promise<T | undefined>;
  readonly put: (entries: Record<string, unknown>) => Promise<void>;
  /** Entries whose key starts with `prefix`, in key order, after `startAfter`. */
  readonly list: <T>(
    prefix: string,
    options: { readonly startAfter?: string; readonly limit: number },
  ) => Promise<ReadonlyMap<string, T>>;
  readonly setAlarm: (atMs: number) => Promise<void>;
  readonly deleteAlarm: () => Promise<void>;
}

/** How one partition's reconciliation came out. */
export interface PartitionReconcileView {
  readonly clean: boolean;
  readonly capture_id: string | null;
  readonly added: number;
  readonly removed: number;
  readonly modified: number;
}

/** One replayed (or failed) partition. */
export interface ReplayPartitionView {
  readonly partition: string;
  readonly status: "done" | "failed";
  readonly records: number;
  readonly sha256: string | null;
  readonly capture_id: string | null;
  /** Whether the replay reproduced the capture's output hash; null when unknown. */
  readonly matches_capture: boolean | null;
  readonly reconciliation: PartitionReconcileView | null;
  readonly error: { readonly tag: string; readonly message: string } | null;
}

/** The state of a replay, as `GET /replays/:id` shows it. */
export interface ReplayHeader {
  readonly replay_id: string;
  readonly pipeline: string;
  readonly start: string;
  readonly end: string;
  readonly params: BackfillParams;
  readonly partitions: ReadonlyArray<string>;
  readonly reconcile: boolean;
  readonly status: "running" | "complete" | "failed";
  /** Index of the next partition to replay. */
  readonly next: number;
  /** Attempts so far of the next partition. */
  readonly attempts: number;
  readonly records: number;
  readonly sha256: string | null;
  readonly created_at: string;
  readonly finished_at: string | null;
  readonly duration_ms: number | null;
}

const HEADER = "header";
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const partitionKeyOf = (index: number) => `p:${pad(index, 6)}`;
const outputKeyOf = (index: number, chunk: number) => `o:${pad(index, 6)}:${pad(chunk, 4)}`;

const io = <A>(thunk: () => Promise<A>) => Effect.promise(thunk);

/** Stores a new replay; false when this storage already holds one. */
export const createReplay = (
  storage: ReplayStorage,
  input: { readonly replayId: string; readonly plan: BackfillPlan; readonly reconcile: boolean },
  now: Date,
) =>
  Effect.gen(function* () {
    if (yield* io(() => storage.get<ReplayHeader>(HEADER))) return false;
    const header: ReplayHeader = {
      replay_id: input.replayId,
      pipeline: input.plan.pipeline,
      start: input.plan.start,
      end: input.plan.end,
      params: input.plan.params,
      partitions: input.plan.partitions,
      reconcile: input.reconcile,
      status: "running",
      next: 0,
      attempts: 0,
      records: 0,
      sha256: null,
      created_at: now.toISOString(),
      finished_at: null,
      duration_ms: null,
    };
    yield* io(() => storage.put({ [HEADER]: header }));
    // The first slice runs in an alarm, not in the request that started the replay.
    yield* io(() => storage.setAlarm(now.getTime()));
    return true;
  });

/** The replay's header and its replayed partitions, in plan order. */
export const readReplay = (storage: ReplayStorage) =>
  Effect.gen(function* () {
    const header = yield* io(() => storage.get<ReplayHeader>(HEADER));
    if (!header) return undefined;
    const partitions: Array<ReplayPartitionView> = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = yield* io(() =>
        storage.list<ReplayPartitionView>("p:", {
          limit: 256,
          ...(startAfter ? { startAfter } : {}),
        }),
      );
      for (const [key, view] of page) {
        partitions.push(view);
        startAfter = key;
      }
      if (page.size < 256) break;
    }
    return { header, partitions };
  });

/** A partition's canonical JSONL as stored (empty text for no records). */
export const readPartitionOutput = (storage: ReplayStorage, index: number) =>
  Effect.gen(function* () {
    const chunks = yield* io(() => storage.list<string>(`o:${pad(index, 6)}:`, { limit: 10_000 }));
    return [...chunks.values()].join("");
  });

const hashOutput = (storage: ReplayStorage, count: number) =>
  Effect.gen(function* () {
    const hash = new Sha256();
    for (let i = 0; i < count; i++) hash.update(yield* readPartitionOutput(storage, i));
    return hash.hex();
  });

/** Runs one slice of the replay held in `storage`; see the module doc. */
export const runReplaySlice = (registry: Registry<Pipeline>, storage: ReplayStorage) =>
  Effect.gen(function* () {
    let header = yield* io(() => storage.get<ReplayHeader>(HEADER));
    if (header?.status !== "running") return;
    const startMs = yield* Clock.currentTimeMillis;
    yield* io(() => storage.setAlarm(startMs + WATCHDOG_MS));
    const target = yield* replayable(registry, header.pipeline).pipe(Effect.orDie);
    for (let done = 0; done < SLICE_SIZE && header.next < header.partitions.length; done++) {
      const index: number = header.next;
      const partition = PartitionKey.make(header.partitions[index] ?? "");
      const exit = yield* Effect.exit(replayPartition(target, partition));
      const nowIso = new Date(yield* Clock.currentTimeMillis).toISOString();
      let view: ReplayPartitionView;
      if (Exit.isFailure(exit)) {
        const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined;
        const attempts = header.attempts + 1;
        if (failure?.retryable && attempts < MAX_PARTITION_ATTEMPTS) {
          header = { ...header, attempts };
          yield* io(() => storage.put({ [HEADER]: header }));
          yield* io(() => storage.setAlarm(startMs + 1_000 * 2 ** attempts));
          return;
        }
        view = {
          partition,
          status: "failed",
          records: 0,
          sha256: null,
          capture_id: null,
          matches_capture: null,
          reconciliation: null,
          error: {
            tag: failure?.tag ?? "Defect",
            message: failure?.message ?? String(exit.cause),
          },
        };
      } else {
        const result = exit.value;
        const chunks: Record<string, string> = {};
        for (let c = 0, at = 0; at < result.text.length; c++, at += CHUNK_CHARS) {
          chunks[outputKeyOf(index, c)] = result.text.slice(at, at + CHUNK_CHARS);
        }
        yield* io(() => storage.put(chunks));
        const recorded = yield* recordReplay(target.pipeline, result, header.replay_id, nowIso);
        const reconciled = header.reconcile
          ? yield* reconcilePartition(target, result.partition, {
              replayed: result,
              batchId: header.replay_id,
            })
          : undefined;
        view = {
          partition,
          status: "done",
          records: result.records.length,
          sha256: result.sha256,
          capture_id: recorded?.captureId ?? null,
          matches_capture: recorded?.matchesCapture ?? null,
          reconciliation: reconciled
            ? {
                clean: reconciled.clean,
                capture_id: reconciled.capture_id,
                added: reconciled.diff.summary.added,
                removed: reconciled.diff.summary.removed,
                modified: reconciled.diff.summary.modified,
              }
            : null,
          error: null,
        };
      }
      header = { ...header, next: index + 1, attempts: 0, records: header.records + view.records };
      yield* io(() => storage.put({ [partitionKeyOf(index)]: view, [HEADER]: header }));
    }
    if (header.next < header.partitions.length) {
      yield* io(() => storage.setAlarm(startMs));
      return;
    }
    const { partitions } = (yield* readReplay(storage)) ?? { partitions: [] };
    const failed = partitions.some((p) => p.status === "failed");
    const endMs = yield* Clock.currentTimeMillis;
    header = {
      ...header,
      status: failed ? "failed" : "complete",
      // A replay with a missing partition has no output hash worth comparing.
      sha256: failed ? null : yield* hashOutput(storage, header.partitions.length),
      finished_at: new Date(endMs).toISOString(),
      duration_ms: endMs - Date.parse(header.created_at),
    };
    yield* io(() => storage.put({ [HEADER]: header }));
    yield* io(() => storage.deleteAlarm());
  }).pipe(Effect.withSpan("Replay.slice")) satisfies Effect.Effect<void, unknown, PipelineServices>;
