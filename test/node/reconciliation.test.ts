/**
 * Reconciliation end to end in Node: the real pipelines ingest into a temp libSQL file over
 * real HTTP (the demo feed), then replay and compare with the stored rows. A fresh capture is
 * clean and its replay hash recorded against it, a re-ingest changes only audit fields, a
 * stored value that drifted is one RECONCILIATION anomaly, and a normalizer change shows up
 * field by field. (Replay determinism and the replay slice: `replay.test.ts`, in memory.)
 */
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { PartitionKey } from "../../src/core/model/ids";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import { PIPELINES } from "../../src/domains/registry";
import { AUDIT_FIELDS, diffBatches } from "../../src/reconciliation/diff";
import { reconcilePartition } from "../../src/reconciliation/reconcile";
import { planReplay, replayable, runReplay } from "../../src/reconciliation/replay";
import { usePipelineDb } from "../fixtures/pipeline-db";

const PRICES = "market_data.ingest_prices";
const TRADES = "trade_data.ingest_trades";

const setup = usePipelineDb();
const { query } = setup;

/** A replay of one partition's range, its summary (the bytes go nowhere). */
const replay = (pipeline: string, start: string, end: string) =>
  setup.ok(
    Effect.flatMap(planReplay(PIPELINES, { pipeline, start, end }), (plan) =>
      Effect.map(
        runReplay(PIPELINES, plan, { replayId: `replay.test.${start}`, write: () => Effect.void }),
        (summary) => ({ summary }),
      ),
    ),
  );

const ingest = async (pipeline: string, partition: string) => {
  const result = await setup.runOk(pipeline, partition);
  expect(result.status).toBe("complete");
  return result;
};

const reconcile = (
  partition: string,
  registry: Registry<Pipeline> = PIPELINES,
  pipeline = PRICES,
) =>
  setup.ok(
    Effect.flatMap(replayable(registry, pipeline), (target) =>
      reconcilePartition(target, PartitionKey.make(partition)),
    ),
  );

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
