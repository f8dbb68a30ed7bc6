/**
 * Replay and reconciliation end to end in Node: the real pipelines in replay mode over real
 * HTTP (the demo feed, or scripted answers) and a temp libSQL file. The determinism and
 * idempotency proofs: equal replays are byte-identical, one changed input is exactly one
 * changed field, a re-ingest changes only audit fields, and a normalizer change shows up
 * field by field.
 */
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BackfillParams } from "../../src/core/backfill/range";
import { PartitionKey } from "../../src/core/model/ids";
import type { Pipeline, PipelineServices } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import { runPipeline } from "../../src/core/pipeline/runner";
import { polygonAggsResponse } from "../../src/dev/demo-feed/feed";
import { PIPELINES } from "../../src/domains/registry";
import { nodePipelineLayer } from "../../src/node/runtime";
import { AUDIT_FIELDS, diffBatches } from "../../src/reconciliation/diff";
import { sha256Of } from "../../src/reconciliation/incremental-sha256";
import { reconcilePartition } from "../../src/reconciliation/reconcile";
import { planReplay, replayable, runReplay } from "../../src/reconciliation/replay";
import {
  type ScriptedAnswer,
  type ScriptedFeed,
  startScriptedFeed,
} from "../fixtures/scripted-feed";
import { makeTempDb, query as queryDb, type TempDb } from "../fixtures/temp-db";

const PRICES = "market_data.ingest_prices";
const TRADES = "trade_data.ingest_trades";

let db: TempDb;
let feed: ScriptedFeed;
let script: (path: string, count: number) => ScriptedAnswer = () => undefined;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startScriptedFeed((path, count) => script(path, count));
});
afterEach(() => {
  script = () => undefined;
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const provide = <A, E>(effect: Effect.Effect<A, E, PipelineServices>) =>
  Effect.runPromiseExit(
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

const ok = async <A, E>(effect: Effect.Effect<A, E, PipelineServices>) => {
  const exit = await provide(effect);
  if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
  return exit.value;
};

const query = (sql: string, args: Array<string | number> = []) => queryDb(db.url, sql, args);

/** A replay collected in memory: its summary and the exact bytes it wrote. */
const replay = (
  pipeline: string,
  start: string,
  end: string,
  params: BackfillParams = {},
  registry: Registry<Pipeline> = PIPELINES,
) =>
  ok(
    Effect.gen(function* () {
      const plan = yield* planReplay(registry, { pipeline, start, end, params });
      const chunks: Array<string> = [];
      const summary = yield* runReplay(registry, plan, {
        replayId: `replay.test.${start}`,
        write: (text) => Effect.sync(() => chunks.push(text)),
      });
      return { summary, text: chunks.join("") };
    }),
  );

const linesOf = (text: string) =>
  text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const ingest = async (pipeline: string, partition: string) => {
  const result = await ok(runPipeline(PIPELINES, { pipeline, partition, trigger: "cli" }));
  expect(result.status).toBe("complete");
  return result;
};

const reconcile = (
  partition: string,
  registry: Registry<Pipeline> = PIPELINES,
  pipeline = PRICES,
) =>
  ok(
    Effect.flatMap(replayable(registry, pipeline), (target) =>
      reconcilePartition(target, PartitionKey.make(partition)),
    ),
  );

const aggPath = (symbol: string, date: string) =>
  `/v2/aggs/ticker/${symbol}/range/1/day/${date}/${date}`;

describe("replay determinism", () => {
  it("replays a range twice byte for byte, with the hash of exactly those bytes", async () => {
    const first = await replay(PRICES, "2025-03-03", "2025-03-09");
    const second = await replay(PRICES, "2025-03-03", "2025-03-09");
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
  });

  it("reports exactly the field of the one input value that changed", async () => {
    const before = await replay(PRICES, "2025-03-04", "2025-03-04");
    script = (path) => {
      if (path !== aggPath("AAPL", "2025-03-04")) return undefined;
      const body = polygonAggsResponse("AAPL", "2025-03-04", "2025-03-04", "scripted");
      const bar = body.results?.[0];
      if (!bar) throw new Error("demo feed has no AAPL bar");
      return {
        status: 200,
        body: JSON.stringify({ ...body, results: [{ ...bar, v: bar.v + 1 }] }),
      };
    };
    const after = await replay(PRICES, "2025-03-04", "2025-03-04");
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
  });

  it("replays trades deterministically too", async () => {
    const params = { client: "CLIENT_A" };
    const first = await replay(TRADES, "2025-03-03", "2025-03-05", params);
    const second = await replay(TRADES, "2025-03-03", "2025-03-05", params);
    expect(first.summary.records).toBeGreaterThan(0);
    expect(second.text).toBe(first.text);
    expect(second.summary.sha256).toBe(first.summary.sha256);
  });
});

describe("reconciliation against stored rows", () => {
  it("finds a fresh capture clean and records the replay hash against it", async () => {
    const run = await ingest(PRICES, "2025-03-05|demo");
    const replayed = await replay(PRICES, "2025-03-05", "2025-03-05");
    const [partition] = replayed.summary.by_partition;
    expect(partition?.capture_id).toBe(run.capture_id);
    const [manifest] = await query("SELECT metadata FROM core_manifest WHERE capture_id = ?", [
      run.capture_id,
    ]);
    const metadata = JSON.parse(String(manifest?.metadata));
    // The runner hashed the capture's output; the replay reproduced it and says so.
    expect(metadata.output).toEqual({ sha256: partition?.sha256, records: 20 });
    expect(metadata.replay).toMatchObject({
      sha256: partition?.sha256,
      records: 20,
      matches_capture: true,
    });
    expect(partition?.matches_capture).toBe(true);

    const result = await reconcile("2025-03-05|demo");
    expect(result.clean).toBe(true);
    expect(result.capture_id).toBe(run.capture_id);
    // The stored rows hash to the replay's bytes: the capture is reproducible.
    expect(result.stored).toEqual({ records: 20, sha256: partition?.sha256 });
    const events = await query(
      "SELECT new_state, capture_id FROM core_audit_log WHERE event_type = 'reconciled' AND partition_key = ?",
      ["2025-03-05|demo"],
    );
    expect(events).toHaveLength(1);
    expect(JSON.parse(String(events[0]?.new_state))).toMatchObject({
      clean: true,
      modified: 0,
      replay_records: 20,
    });
  });

  it("re-ingesting a partition adds no rows and changes nothing but audit fields", async () => {
    const partition = "2025-03-06|demo";
    const first = await ingest(PRICES, partition);
    const rowsBefore = await query(
      "SELECT * FROM market_prices WHERE trading_date = ? ORDER BY symbol",
      ["2025-03-06"],
    );
    const storedBefore = (await reconcile(partition)).stored;
    const second = await ingest(PRICES, partition);
    const rowsAfter = await query(
      "SELECT * FROM market_prices WHERE trading_date = ? ORDER BY symbol",
      ["2025-03-06"],
    );
    expect(second.execution_id).not.toBe(first.execution_id);
    expect(rowsAfter).toHaveLength(rowsBefore.length);
    const diff = diffBatches(
      rowsBefore as unknown as Array<Record<string, unknown>>,
      rowsAfter as unknown as Array<Record<string, unknown>>,
      { key: ["symbol", "trading_date", "source"] },
    );
    expect(diff.summary).toMatchObject({ added: 0, removed: 0, modified: 0, unchanged: 20 });
    // With audit fields compared, every row differs in exactly those.
    const audited = diffBatches(
      rowsBefore as unknown as Array<Record<string, unknown>>,
      rowsAfter as unknown as Array<Record<string, unknown>>,
      { key: ["symbol", "trading_date", "source"], ignore: [] },
    );
    expect(audited.summary.modified).toBe(20);
    for (const m of audited.modified) {
      // execution_id always differs; capture_id too unless both runs fell in one second.
      expect(m.diffs.execution_id).toBeDefined();
      expect(Object.keys(m.diffs).filter((f) => !AUDIT_FIELDS.includes(f))).toEqual([]);
    }
    const storedAfter = await reconcile(partition);
    expect(storedAfter.stored).toEqual(storedBefore);
    expect(storedAfter.clean).toBe(true);
  });

  it("turns a stored value that drifted into one RECONCILIATION anomaly, resolved by a re-run", async () => {
    const partition = "2025-03-07|demo";
    await ingest(PRICES, partition);
    await query(
      "UPDATE market_prices SET close = '1.23' WHERE symbol = 'MSFT' AND trading_date = '2025-03-07'",
    );
    const drifted = await reconcile(partition);
    expect(drifted.clean).toBe(false);
    expect(drifted.diff.summary).toMatchObject({ added: 0, removed: 0, modified: 1 });
    expect(drifted.diff.modified[0]?.key).toMatchObject({ symbol: "MSFT" });
    expect(Object.keys(drifted.diff.modified[0]?.diffs ?? {})).toEqual(["close"]);
    expect(drifted.diff.modified[0]?.diffs.close?.old).toBe("1.23");

    const open = await query(
      "SELECT severity, message, resolved_at FROM core_anomalies WHERE partition_key = ? AND rule = 'RECONCILIATION'",
      [partition],
    );
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ severity: "HIGH", resolved_at: null });
    expect(String(open[0]?.message)).toContain("1 modified (fields: close)");

    await ingest(PRICES, partition);
    expect((await reconcile(partition)).clean).toBe(true);
    const after = await query(
      "SELECT resolved_at FROM core_anomalies WHERE partition_key = ? AND rule = 'RECONCILIATION'",
      [partition],
    );
    expect(after).toHaveLength(1);
    expect(after[0]?.resolved_at).not.toBeNull();
  });

  it("shows a normalizer change field by field", async () => {
    const partition = "2025-03-10|demo";
    await ingest(PRICES, partition);
    // The new normalizer keeps vwap to 2 decimal places (the stored rows keep up to 4).
    const base = PIPELINES.get(PRICES) as Pipeline;
    const baseReplay = base.replay;
    if (!baseReplay) throw new Error("no replay mode");
    const twoPlaces = (v: unknown) =>
      typeof v === "string" && /\.\d{3,}$/.test(v)
        ? (Math.round(Number(v) * 100) / 100).toFixed(2).replace(/\.?0+$/, "")
        : v;
    const changed: Pipeline = {
      ...base,
      replay: {
        ...baseReplay,
        records: (key) =>
          Effect.map(baseReplay.records(key), (records) =>
            records.map((r) => ({ ...r, vwap: twoPlaces(r.vwap) as string | null })),
          ),
      },
    };
    const registry = new Registry<Pipeline>("pipeline").register(changed);
    const stored = await reconcile(partition, registry);
    const rows = await query("SELECT symbol, vwap FROM market_prices WHERE trading_date = ?", [
      "2025-03-10",
    ]);
    const affected = rows.filter((r) => /\.\d{3,}$/.test(String(r.vwap))).map((r) => r.symbol);
    expect(affected.length).toBeGreaterThan(0);
    expect(stored.diff.modified.map((m) => m.key.symbol).sort()).toEqual([...affected].sort());
    for (const m of stored.diff.modified) {
      expect(Object.keys(m.diffs)).toEqual(["vwap"]);
      expect(m.diffs.vwap?.new).toBe(twoPlaces(m.diffs.vwap?.old));
    }
  });

  it("reconciles a trade partition with its stored trades", async () => {
    const partition = "2025-03-04|CLIENT_B";
    const run = await ingest(TRADES, partition);
    const result = await reconcile(partition, PIPELINES, TRADES);
    expect(result.clean).toBe(true);
    expect(result.stored.records).toBe(run.counts.written);
    expect(result.replay.sha256).toBe(result.stored.sha256);
    await query(
      "UPDATE trades SET side = CASE side WHEN 'BUY' THEN 'SELL' ELSE 'BUY' END WHERE trade_id = (SELECT min(trade_id) FROM trades WHERE client_id = 'CLIENT_B')",
    );
    const drifted = await reconcile(partition, PIPELINES, TRADES);
    expect(drifted.diff.summary).toMatchObject({ modified: 1, added: 0, removed: 0 });
    expect(Object.keys(drifted.diff.modified[0]?.diffs ?? {})).toEqual(["side"]);
  });
});
