/**
 * Replays on the in-memory stores and the memory feed: equal replays are byte-identical with
 * the hash of exactly those bytes, one changed input is exactly one changed field, and the
 * replay slice a `ReplayCoordinator` runs per alarm (here over a `Map` with Durable Object
 * storage semantics) advances in plan order, re-arms its alarm and ends with the in-process
 * replay's bytes and hash. (Reconciliation against stored rows: `reconciliation.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { expect } from "vitest";
import type { BackfillParams } from "../../src/core/backfill/range";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import type { Registry } from "../../src/core/pipeline/registry";
import { polygonAggsResponse } from "../../src/dev/demo-feed/feed";
import { PIPELINES } from "../../src/domains/registry";
import { diffBatches } from "../../src/reconciliation/diff";
import { sha256Of } from "../../src/reconciliation/incremental-sha256";
import { planReplay, runReplay } from "../../src/reconciliation/replay";
import {
  createReplay,
  type ReplayStorage,
  readPartitionOutput,
  readReplay,
  runReplaySlice,
  SLICE_SIZE,
} from "../../src/reconciliation/replay-slice";
import { memoryFeed } from "../fixtures/memory-feed";
import { logicLayer } from "../fixtures/memory-pipelines";

const PRICES = "market_data.ingest_prices";
const TRADES = "trade_data.ingest_trades";

let feed = memoryFeed();
/** The stores in memory and a fresh memory feed (a test may script its answers). */
const layer = () => {
  feed = memoryFeed();
  return logicLayer({ RETRY_BASE_DELAY_MS: "5" }, feed);
};

/** A replay collected in memory: its summary and the exact bytes it wrote. */
const replay = (
  pipeline: string,
  start: string,
  end: string,
  params: BackfillParams = {},
  registry: Registry<Pipeline> = PIPELINES,
) =>
  Effect.gen(function* () {
    const plan = yield* planReplay(registry, { pipeline, start, end, params });
    const chunks: Array<string> = [];
    const summary = yield* runReplay(registry, plan, {
      replayId: `replay.test.${start}`,
      write: (text) => Effect.sync(() => chunks.push(text)),
    });
    return { summary, text: chunks.join("") };
  });

const linesOf = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const aggPath = (symbol: string, date: string) =>
  `/v2/aggs/ticker/${symbol}/range/1/day/${date}/${date}`;

describe("replay determinism", () => {
  it.live("replays a range twice byte for byte, with the hash of exactly those bytes", () =>
    Effect.gen(function* () {
      const first = yield* replay(PRICES, "2025-03-03", "2025-03-09");
      const second = yield* replay(PRICES, "2025-03-03", "2025-03-09");
      expect(first.summary).toMatchObject({
        partitions: 7,
        records: 100,
        params: { universe: "demo" },
      });
      expect(second.text).toBe(first.text);
      expect(second.summary.sha256).toBe(first.summary.sha256);
      expect(first.summary.sha256).toBe(sha256Of(first.text));
      const a = first.text.split("\n");
      const b = second.text.split("\n");
      expect(a.filter((line, i) => line !== b[i])).toEqual([]);
      // Weekend partitions replay to nothing, and every line is one canonical record.
      expect(
        first.summary.by_partition.filter((p) => p.records === 0).map((p) => p.partition),
      ).toEqual(["2025-03-08|demo", "2025-03-09|demo"]);
      for (const line of a.filter((l) => l.length > 0)) {
        const keys = Object.keys(JSON.parse(line) as object);
        expect(keys).toEqual([...keys].sort());
        expect(keys).not.toContain("capture_id");
      }
    }).pipe(Effect.provide(layer())),
  );

  it.live("reports exactly the field of the one input value that changed", () =>
    Effect.gen(function* () {
      const before = yield* replay(PRICES, "2025-03-04", "2025-03-04");
      feed.script = (path) => {
        if (path !== aggPath("AAPL", "2025-03-04")) return undefined;
        const body = polygonAggsResponse("AAPL", "2025-03-04", "2025-03-04", "scripted");
        const bar = body.results?.[0];
        if (!bar) throw new Error("demo feed has no AAPL bar");
        return {
          status: 200,
          body: JSON.stringify({ ...body, results: [{ ...bar, v: bar.v + 1 }] }),
        };
      };
      const after = yield* replay(PRICES, "2025-03-04", "2025-03-04");
      expect(after.summary.sha256).not.toBe(before.summary.sha256);
      const diff = diffBatches(linesOf(before.text), linesOf(after.text), {
        key: ["symbol", "trading_date", "source"],
      });
      expect(diff.summary).toMatchObject({ added: 0, removed: 0, modified: 1, unchanged: 19 });
      const [only] = diff.modified;
      expect(only?.key).toEqual({ symbol: "AAPL", trading_date: "2025-03-04", source: "polygon" });
      expect(Object.keys(only?.diffs ?? {})).toEqual(["volume"]);
      expect(only?.diffs.volume).toEqual({
        old: (only?.diffs.volume?.new as number) - 1,
        new: only?.diffs.volume?.new,
      });
    }).pipe(Effect.provide(layer())),
  );

  it.live("replays trades deterministically too", () =>
    Effect.gen(function* () {
      const params = { client: "CLIENT_A" };
      const first = yield* replay(TRADES, "2025-03-03", "2025-03-05", params);
      const second = yield* replay(TRADES, "2025-03-03", "2025-03-05", params);
      expect(first.summary.records).toBeGreaterThan(0);
      expect(second.text).toBe(first.text);
      expect(second.summary.sha256).toBe(first.summary.sha256);
    }).pipe(Effect.provide(layer())),
  );
});

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
  it.live("replays a slice per alarm in plan order and ends with the in-process hash", () =>
    Effect.gen(function* () {
      const request = {
        pipeline: "market_data.ingest_prices",
        start: "2025-06-02",
        end: "2025-06-21",
      };
      const plan = yield* planReplay(PIPELINES, request);
      expect(plan.partitions.length).toBeGreaterThan(2 * SLICE_SIZE);
      const { storage, alarms } = memoryStorage();
      expect(
        yield* createReplay(
          storage,
          { replayId: "replay.slice", plan, reconcile: false },
          new Date(),
        ),
      ).toBe(true);
      expect(
        yield* createReplay(
          storage,
          { replayId: "replay.slice", plan, reconcile: false },
          new Date(),
        ),
      ).toBe(false);

      const progress: Array<number> = [];
      for (let i = 0; i < 10; i++) {
        yield* runReplaySlice(PIPELINES, storage);
        const state = yield* readReplay(storage);
        progress.push(state?.header.next ?? -1);
        if (state?.header.status !== "running") break;
      }
      expect(progress).toEqual([SLICE_SIZE, 2 * SLICE_SIZE, plan.partitions.length]);
      // Alarms: the first slice; per slice a watchdog, then the next slice (none after the
      // last one); finally deleted: 1 + 2 + 2 + 1 set, then one delete.
      expect(alarms.at(-1)).toBeNull();
      expect(alarms.filter((a) => a !== null)).toHaveLength(6);

      const state = yield* readReplay(storage);
      expect(state?.partitions.map((p) => p.partition)).toEqual(plan.partitions);
      const chunks: Array<string> = [];
      const inProcess = yield* runReplay(PIPELINES, plan, {
        replayId: "replay.inprocess",
        record: false,
        write: (text) => Effect.sync(() => chunks.push(text)),
      });
      expect(state?.header).toMatchObject({
        status: "complete",
        records: inProcess.records,
        sha256: inProcess.sha256,
      });
      const stored: Array<string> = [];
      for (let i = 0; i < plan.partitions.length; i++) {
        stored.push(yield* readPartitionOutput(storage, i));
      }
      expect(stored.join("")).toBe(chunks.join(""));

      // A finished replay ignores further alarms.
      const before = alarms.length;
      yield* runReplaySlice(PIPELINES, storage);
      expect(alarms).toHaveLength(before);
    }).pipe(Effect.provide(layer())),
  );
});
