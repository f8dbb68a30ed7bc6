/**
 * The replay slice that the `ReplayCoordinator` runs per alarm, driven here over an in-memory
 * storage: it advances a slice at a time in plan order, re-arms its alarm, and its output
 * and hash are the in-process replay's, byte for byte.
 */
import { Effect, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PipelineServices } from "../../src/core/pipeline/pipeline";
import { PIPELINES } from "../../src/domains/registry";
import { nodePipelineLayer } from "../../src/node/runtime";
import { planReplay, runReplay } from "../../src/reconciliation/replay";
import {
  createReplay,
  type ReplayStorage,
  readPartitionOutput,
  readReplay,
  runReplaySlice,
  SLICE_SIZE,
} from "../../src/reconciliation/replay-slice";
import { type ScriptedFeed, startScriptedFeed } from "../fixtures/scripted-feed";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
let feed: ScriptedFeed;
beforeAll(async () => {
  db = await makeTempDb();
  feed = await startScriptedFeed(() => undefined);
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const ok = <A, E>(effect: Effect.Effect<A, E, PipelineServices>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        nodePipelineLayer({
          db: { url: db.url },
          vars: { MARKET_DATA_BASE_URL: feed.url, RETRY_BASE_DELAY_MS: "5" },
          logLevel: LogLevel.None,
        }),
      ),
    ),
  );

/** Durable Object storage semantics over a Map: sorted listing, one alarm. */
const memoryStorage = () => {
  const data = new Map<string, unknown>();
  const alarms: Array<number | null> = [];
  const storage: ReplayStorage = {
    get: async <T>(key: string) => data.get(key) as T | undefined,
    put: async (entries) => {
      for (const [k, v] of Object.entries(entries)) data.set(k, structuredClone(v));
    },
    list: async <T>(prefix: string, options: { startAfter?: string; limit: number }) =>
      new Map(
        [...data.keys()]
          .filter((k) => k.startsWith(prefix) && (!options.startAfter || k > options.startAfter))
          .sort()
          .slice(0, options.limit)
          .map((k) => [k, data.get(k) as T]),
      ),
    setAlarm: async (at) => {
      alarms.push(at);
    },
    deleteAlarm: async () => {
      alarms.push(null);
    },
  };
  return { storage, alarms };
};

describe("runReplaySlice", () => {
  it("replays a slice per alarm in plan order and ends with the in-process hash", async () => {
    const request = {
      pipeline: "market_data.ingest_prices",
      start: "2025-06-02",
      end: "2025-06-21",
    };
    const plan = await ok(planReplay(PIPELINES, request));
    expect(plan.partitions.length).toBeGreaterThan(2 * SLICE_SIZE);
    const { storage, alarms } = memoryStorage();
    expect(
      await ok(
        createReplay(storage, { replayId: "replay.slice", plan, reconcile: false }, new Date()),
      ),
    ).toBe(true);
    expect(
      await ok(
        createReplay(storage, { replayId: "replay.slice", plan, reconcile: false }, new Date()),
      ),
    ).toBe(false);

    const progress: Array<number> = [];
    for (let i = 0; i < 10; i++) {
      await ok(runReplaySlice(PIPELINES, storage));
      const state = await ok(readReplay(storage));
      progress.push(state?.header.next ?? -1);
      if (state?.header.status !== "running") break;
    }
    expect(progress).toEqual([SLICE_SIZE, 2 * SLICE_SIZE, plan.partitions.length]);
    // Alarms: the first slice; per slice a watchdog, then the next slice (none after the
    // last one); finally deleted: 1 + 2 + 2 + 1 set, then one delete.
    expect(alarms.at(-1)).toBeNull();
    expect(alarms.filter((a) => a !== null)).toHaveLength(6);

    const state = await ok(readReplay(storage));
    expect(state?.partitions.map((p) => p.partition)).toEqual(plan.partitions);
    const chunks: Array<string> = [];
    const inProcess = await ok(
      runReplay(PIPELINES, plan, {
        replayId: "replay.inprocess",
        record: false,
        write: (text) => Effect.sync(() => chunks.push(text)),
      }),
    );
    expect(state?.header).toMatchObject({
      status: "complete",
      records: inProcess.records,
      sha256: inProcess.sha256,
    });
    const stored: Array<string> = [];
    for (let i = 0; i < plan.partitions.length; i++) {
      stored.push(await ok(readPartitionOutput(storage, i)));
    }
    expect(stored.join("")).toBe(chunks.join(""));

    // A finished replay ignores further alarms.
    const before = alarms.length;
    await ok(runReplaySlice(PIPELINES, storage));
    expect(alarms).toHaveLength(before);
  });
});
