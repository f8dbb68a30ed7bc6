/**
 * `finra.weekly_refresh` over the eight sample weeks into a temp libSQL file, the demo feed
 * serving the weekly files over HTTP: every stage's rows, the hand-checked rolling averages,
 * the history gate on a five-week history, readiness, calculation dependencies, idempotency.
 */

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { usePipelineDb } from "../fixtures/pipeline-db";
import { SAMPLE_WEEKS, weeklyRefreshOf } from "../fixtures/workflows";

const expected = JSON.parse(
  readFileSync(
    new URL("../fixtures/finra/rolling-6w-2025-02-21-NMS_TIER_1.json", import.meta.url),
    "utf8",
  ),
) as {
  window_start: string;
  excluded: Array<string>;
  rows: Array<Record<string, string>>;
};

const setup = usePipelineDb({ vars: { RETRY_MAX_ATTEMPTS: "2" } });
const { query } = setup;
const runs: Array<Awaited<ReturnType<typeof weeklyRefreshOf>>> = [];

beforeAll(async () => {
  for (const week of SAMPLE_WEEKS) runs.push(await weeklyRefreshOf(setup, week, "NMS_TIER_1"));
}, 120_000);

const rollingRows = (week: string, tier = "NMS_TIER_1") =>
  query(
    `SELECT symbol, window_start, weeks_in_window, avg_weekly_share_quantity, avg_weekly_trade_count,
            avg_venue_count, capture_id, captured_at, execution_id, batch_id
       FROM finra_otc_transparency_symbol_rolling_6w WHERE week_ending = ? AND tier = ? ORDER BY symbol`,
    [week, tier],
  );

describe("finra.weekly_refresh over eight sample weeks", () => {
  it("runs every step of every week; rolling is gated until six weeks exist", () => {
    // Weeks without six weeks of history end with their rolling step skipped by the gate.
    expect(runs.map((r) => r.status)).toEqual([
      ...Array(5).fill("complete_with_skips"),
      ...Array(3).fill("complete"),
    ]);
    for (const run of runs) {
      expect(run.steps.map((s) => s.name)).toEqual([
        "ingest",
        "validate",
        "normalize",
        "aggregate",
        "rolling",
      ]);
      expect(run.steps.every((s) => s.duration_ms >= 0 && s.started_at !== null)).toBe(true);
    }
    expect(runs.map((r) => r.steps[4]?.status)).toEqual([
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "complete",
      "complete",
      "complete",
    ]);
    expect(runs.map((r) => r.stage)).toEqual([
      ...Array(5).fill("COMPLETED_WITH_SKIPS"),
      ...Array(3).fill("COMPLETED"),
    ]);
    const last = runs[7]!;
    expect(last.steps[0]?.output).toMatchObject({
      status: "complete",
      row_count: 28,
      received: 28,
      quarantined: 0,
    });
    expect(last.steps[1]?.output).toMatchObject({ validated: true, row_count: 28 });
    expect(last.steps[3]?.output).toMatchObject({ symbols: 7 });
    expect(last.steps[4]?.output).toMatchObject({
      row_count: 6,
      symbols_excluded: 1,
      excluded_symbols: ["RDDT"],
    });
  });

  it("rolling averages for 2025-02-21 match the hand-checked fixture", async () => {
    const rows = await rollingRows("2025-02-21");
    expect(
      rows.map((r) => ({
        symbol: r.symbol,
        avg_weekly_share_quantity: r.avg_weekly_share_quantity,
        avg_weekly_trade_count: r.avg_weekly_trade_count,
        avg_venue_count: r.avg_venue_count,
      })),
    ).toEqual(expected.rows);
    expect(new Set(rows.map((r) => r.window_start))).toEqual(new Set([expected.window_start]));
    expect(rows.every((r) => r.weeks_in_window === 6)).toBe(true);
    expect(rows.map((r) => r.symbol)).not.toContain("RDDT");
    // Capture-id contract on every row.
    expect(String(rows[0]?.capture_id)).toMatch(
      /^finra\.otc_transparency\.ROLLING\.2025-02-21\|NMS_TIER_1\.\d{8}T\d{6}Z$/,
    );
    expect(rows.every((r) => r.captured_at && r.execution_id && r.batch_id)).toBe(true);
  });

  it("the gate fires on a five-week history: QUALITY_GATE anomaly, no rolling rows", async () => {
    expect(await rollingRows("2025-01-31")).toEqual([]);
    const gated = runs[4]!.steps[4]!;
    expect(gated.status).toBe("skipped");
    expect(gated.output).toMatchObject({
      status: "skipped",
      reason: "insufficient_history",
      missing_weeks: ["2024-12-27"],
    });
    const anomalies = await query(
      "SELECT category, severity, stage, message, resolved_at FROM core_anomalies WHERE partition_key = ?",
      ["2025-01-31|NMS_TIER_1"],
    );
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({
      category: "QUALITY_GATE",
      severity: "HIGH",
      stage: "ROLLING",
      resolved_at: null,
    });
    expect(String(anomalies[0]?.message)).toContain("1 of 6 weeks not aggregated (2024-12-27)");
  });

  it("normalize dedupes a corrected line and aggregate computes venue market share", async () => {
    const feb7 = runs[5]!;
    expect(feb7.steps[2]?.output).toMatchObject({
      duplicates_dropped: 1,
      row_count: 28,
      received: 29,
    });
    const aapl = await query(
      "SELECT total_weekly_share_quantity AS q FROM finra_otc_transparency_venue_volume WHERE week_ending = '2025-02-07' AND tier = 'NMS_TIER_1' AND symbol = 'AAPL' AND mpid = 'CDRG'",
    );
    expect(aapl).toEqual([expect.objectContaining({ q: 25031227 })]);
    const shares = await query(
      "SELECT mpid, market_share FROM finra_otc_transparency_venue_share WHERE week_ending = '2025-02-21' AND tier = 'NMS_TIER_1' AND symbol = 'RDDT' ORDER BY mpid",
    );
    const rddt = (
      await query(
        "SELECT mpid, total_weekly_share_quantity AS q FROM finra_otc_transparency_venue_volume WHERE week_ending = '2025-02-21' AND tier = 'NMS_TIER_1' AND symbol = 'RDDT' ORDER BY mpid",
      )
    ).map((r) => Number(r.q));
    const total = rddt.reduce((a, b) => a + b, 0);
    // Six places, half up: checked against the quantities themselves.
    expect(shares.map((s) => Number(s.market_share))).toEqual(
      rddt.map((q) => Math.round((q / total) * 1e6) / 1e6),
    );
  });

  it("records the workflow's manifest stages and the run with its steps", async () => {
    const last = runs[7]!;
    const stages = await query(
      "SELECT stage, status FROM core_manifest WHERE domain = 'workflow.finra.weekly_refresh' AND execution_id = ? ORDER BY stage",
      [last.run_id],
    );
    expect(stages.map((r) => [r.stage, r.status])).toEqual([
      ["AGGREGATED", "complete"],
      ["COMPLETED", "complete"],
      ["INGESTED", "complete"],
      ["NORMALIZED", "complete"],
      ["ROLLED", "complete"],
      ["STARTED", "complete"],
      ["VALIDATED", "complete"],
    ]);
    const stored = await query(
      "SELECT status, stage, steps FROM core_workflow_runs WHERE run_id = ?",
      [last.run_id],
    );
    expect(stored[0]).toMatchObject({ status: "complete", stage: "COMPLETED" });
    expect(JSON.parse(String(stored[0]?.steps))).toEqual(last.steps);
    // The gated run's ROLLED stage is recorded skipped, with its reason, and the run ends
    // COMPLETED_WITH_SKIPS.
    const gated = await query(
      "SELECT stage, status, metadata FROM core_manifest WHERE execution_id = ? AND stage IN ('ROLLED', 'COMPLETED_WITH_SKIPS', 'COMPLETED') ORDER BY stage",
      [runs[4]!.run_id],
    );
    expect(gated.map((r) => [r.stage, r.status])).toEqual([
      ["COMPLETED_WITH_SKIPS", "complete"],
      ["ROLLED", "skipped"],
    ]);
    expect(JSON.parse(String(gated[1]?.metadata)).details).toMatchObject({
      step: "rolling",
      reason: "insufficient_history",
    });
    // The pipeline's own capture of the gated week reads skipped too.
    const capture = await query(
      "SELECT status, metadata FROM core_manifest WHERE domain = 'finra.otc_transparency' AND stage = 'ROLLING' AND partition_key = '2025-01-31|NMS_TIER_1'",
    );
    expect(capture.map((r) => r.status)).toEqual(["skipped"]);
    expect(JSON.parse(String(capture[0]?.metadata)).details).toMatchObject({
      reason: "insufficient_history",
    });
  });

  it("marks readiness per stage and partition; a gated rolling stays not ready", async () => {
    const rows = await query(
      "SELECT stage, is_ready FROM core_data_readiness WHERE domain = 'finra.otc_transparency' AND week_ending = ? ORDER BY stage",
      ["2025-01-31"],
    );
    expect(rows.map((r) => [r.stage, r.is_ready])).toEqual([
      ["AGGREGATE", 1],
      ["INGEST", 1],
      ["NORMALIZE", 1],
      ["ROLLING", 0],
    ]);
    const ready = await query(
      "SELECT is_ready FROM core_data_readiness WHERE stage = 'ROLLING' AND partition_key = '2025-02-21|NMS_TIER_1'",
    );
    expect(ready).toEqual([expect.objectContaining({ is_ready: 1 })]);
  });

  it("re-running a week gives byte-identical rows apart from audit fields", async () => {
    const before = await rollingRows("2025-02-21");
    const again = await weeklyRefreshOf(setup, "2025-02-21", "NMS_TIER_1");
    expect(again.status).toBe("complete");
    const after = await rollingRows("2025-02-21");
    const strip = (rows: typeof before) =>
      rows.map(
        ({ capture_id: _c, captured_at: _a, execution_id: _e, batch_id: _b, ...rest }) => rest,
      );
    expect(strip(after)).toEqual(strip(before));
    expect(after.length).toBe(before.length);
    expect(after[0]?.execution_id).not.toBe(before[0]?.execution_id);
  });
});
