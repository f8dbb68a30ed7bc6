/**
 * Quality-gate thresholds and figures, pure: the check at and above the threshold, where a
 * threshold comes from (config override, the pipeline, the default), bad overrides, rejection
 * counts, a skipped partition in a backfill, which pipelines require records, and the FINRA
 * weekly refresh's validate step.
 */
import { describe, expect, it } from "vitest";
import { type BackfillPartitionResult, summarize } from "../../src/core/backfill/backfill";
import { settleRun } from "../../src/core/backfill/slice";
import { appConfigFromVars, InvalidConfig } from "../../src/core/config/app-config";
import { summarizeRejections } from "../../src/core/model/quality";
import { checkQualityGate, gateThreshold } from "../../src/core/pipeline/quality-gate";
import type { WorkflowContext } from "../../src/core/workflow/workflow";
import { checkIngestQuality } from "../../src/domains/finra_otc/workflow";
import { PIPELINES } from "../../src/domains/registry";

describe("thresholds", () => {
  const counts = (received: number, quarantined: number) => ({
    received,
    valid: received - quarantined,
    quarantined,
    written: received - quarantined,
  });
  const check = (received: number, quarantined: number, threshold = 0.05, requireRecords = false) =>
    checkQualityGate({
      pipeline: "p.q",
      partition: "k",
      counts: counts(received, quarantined),
      rejections: summarizeRejections([]),
      threshold,
      requireRecords,
    });

  it("passes at the threshold and fails above it; no valid or (when due) no record fails", () => {
    expect(check(100, 1)).toBeUndefined();
    expect(check(20, 1)).toBeUndefined();
    expect(check(100, 6)?.reason).toBe("quarantine_ratio");
    expect(check(10, 10, 1)?.reason).toBe("no_valid_records");
    expect(check(0, 0)).toBeUndefined();
    expect(check(0, 0, 0.05, true)?.message).toBe(
      "quality gate: no records received where data was expected",
    );
  });

  it("config override > the pipeline's own > QUALITY_GATE_MAX_QUARANTINE_RATIO > 5%", () => {
    const config = appConfigFromVars({
      QUALITY_GATE_MAX_QUARANTINE_RATIO: "0.02",
      QUALITY_GATE_OVERRIDES: "a.b=0.5, c.d = 0.25,",
    }).qualityGate;
    expect(config).toEqual({ maxQuarantineRatio: 0.02, overrides: { "a.b": 0.5, "c.d": 0.25 } });
    expect(gateThreshold("a.b", { maxQuarantineRatio: 0.1 }, config)).toBe(0.5);
    expect(gateThreshold("x.y", { maxQuarantineRatio: 0.1 }, config)).toBe(0.1);
    expect(gateThreshold("x.y", undefined, config)).toBe(0.02);
    expect(gateThreshold("x.y", undefined, appConfigFromVars({}).qualityGate)).toBe(0.05);
  });

  it("refuses an override that is not pipeline=ratio, naming the variable", () => {
    for (const bad of ["bad.one=7", "a.b", "a.b=0.5=1"]) {
      expect(() => appConfigFromVars({ QUALITY_GATE_OVERRIDES: bad })).toThrow(InvalidConfig);
      expect(() => appConfigFromVars({ QUALITY_GATE_OVERRIDES: bad })).toThrow(
        /QUALITY_GATE_OVERRIDES: entries are pipeline=ratio/,
      );
    }
  });

  it("counts rejections per contract once per record, most frequent first", () => {
    expect(
      summarizeRejections([
        { recordIndex: 2, reasons: ["REQUIRED_FIELDS: a", "REQUIRED_FIELDS: b"] },
        { recordIndex: 5, reasons: ["PRICE_VALIDITY: x", "REQUIRED_FIELDS: c"] },
        { recordIndex: 9, reasons: ["no colon here"] },
      ]),
    ).toEqual({
      by_contract: { REQUIRED_FIELDS: 2, "no colon here": 1, PRICE_VALIDITY: 1 },
      sample_indexes: [2, 5, 9],
    });
  });

  it("a skipped partition is final for a backfill (not polled forever) and counted apart", () => {
    const view = {
      status: "skipped",
      capture_id: "c",
      execution_id: "e",
      error: null,
      started_at: "2025-04-01T10:00:00.000Z",
      next_retry_at: null,
    };
    expect(settleRun(view, Date.parse("2025-04-01T12:00:00Z"))).toMatchObject({
      kind: "final",
      status: "skipped",
    });
    const result = (status: BackfillPartitionResult["status"]) => ({
      partition: `p-${status}`,
      status,
      capture_id: null,
      execution_id: null,
      counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
    });
    expect(summarize([result("complete"), result("skipped")])).toMatchObject({
      status: "complete",
      complete: 1,
      skipped: 1,
      failed: 0,
    });
  });

  it("market_data.ingest_prices and the FINRA ingest require records; the others do not", () => {
    expect(
      PIPELINES.list()
        .filter((p) => p.qualityGate?.requireRecords)
        .map((p) => p.name),
    ).toEqual(["market_data.ingest_prices", "finra.otc_transparency.ingest_week"]);
  });
});

describe("the validate gate of the weekly refresh", () => {
  const ctxWith = (ingest: Record<string, unknown>): WorkflowContext => ({
    workflow: "finra.weekly_refresh",
    runId: "wfrun_test",
    partition: "2025-01-03|OTCE",
    params: {},
    outputs: { ingest },
    getOutput: <A>(step: string, key: string, fallback?: A) =>
      (step === "ingest" && key in ingest ? ingest[key] : fallback) as A,
  });
  it("fails on an empty file and on more than 5% malformed lines", () => {
    expect(
      checkIngestQuality(ctxWith({ received: 0, row_count: 0, quarantined: 0 })),
    ).toMatchObject({
      ok: false,
      category: "QUALITY_GATE",
    });
    expect(
      checkIngestQuality(ctxWith({ received: 100, row_count: 94, quarantined: 6 })),
    ).toMatchObject({
      ok: false,
      message: "6 of 100 lines malformed (more than 5%)",
    });
    expect(
      checkIngestQuality(ctxWith({ received: 100, row_count: 95, quarantined: 5 })),
    ).toMatchObject({ ok: true });
  });
});
