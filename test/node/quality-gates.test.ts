/**
 * The quality gate on every run: `dataspine ingest` of an all-bad file fails (exit 1, a
 * QUALITY_GATE anomaly with its figures, not ready), a 1%-bad file passes, a run with no valid
 * record where records were due fails, the FINRA normalize stage is gated and its dependants
 * refuse it; thresholds come from the pipeline and from config.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BackfillPartitionResult, summarize } from "../../src/core/backfill/backfill";
import { settleRun } from "../../src/core/backfill/slice";
import { appConfigFromVars, InvalidConfig } from "../../src/core/config/app-config";
import { parseSourceLocation } from "../../src/core/ingest/source";
import { sourcePipeline } from "../../src/core/ingest/source-pipeline";
import { summarizeRejections } from "../../src/core/model/quality";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { checkQualityGate, gateThreshold } from "../../src/core/pipeline/quality-gate";
import { Registry } from "../../src/core/pipeline/registry";
import { runPipeline } from "../../src/core/pipeline/runner";
import { universeSymbols } from "../../src/domains/market_data/universes";
import { PIPELINES } from "../../src/domains/registry";
import { SOURCES } from "../../src/domains/sources-registry";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { dataspine } from "../fixtures/cli";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";
import { pipelineExit } from "../fixtures/workflows";

let db: TempDb;
let feed: DemoFeedServer;
beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";
/** An execution CSV of `rows` trades; the rows in `bad` have a negative price. */
const executions = async (name: string, rows: number, bad: ReadonlySet<number> = new Set()) => {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const at = new Date(Date.parse("2025-01-02T14:31:00Z") + i * 1000).toISOString();
    lines.push(`Q-${i},CLIENT_Q,AAPL,BUY,100,${bad.has(i) ? "-1.5" : "243.12"},${at},XNAS`);
  }
  const path = join(db.dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
};

const ingest = (path: string) =>
  dataspine(db.url, "ingest", "--source", "execution_csv", "--file", path, "--json");

/** The anomalies a run records about its own records (trades without prices aside). */
const anomaliesOf = (partition: string) =>
  query(
    db.url,
    "SELECT rule, category, severity, stage, message, metadata, resolved_at FROM core_anomalies WHERE partition_key = ? AND rule IN ('CONTRACT_VIOLATIONS', 'QUALITY_GATE') ORDER BY rule",
    [partition],
  );

const readiness = (domain: string, stage: string, partition: string) =>
  query(
    db.url,
    "SELECT is_ready FROM core_data_readiness WHERE domain = ? AND stage = ? AND partition_key = ?",
    [domain, stage, partition],
  ).then((rows) => rows.map((r) => Number(r.is_ready)));

describe("the quality gate of an ingestion", { timeout: 60_000 }, () => {
  it("an all-bad file fails: exit 1, QUALITY_GATE anomaly, not ready; a clean re-run heals it", async () => {
    const all = new Set(Array.from({ length: 40 }, (_, i) => i));
    const result = await ingest(await executions("all-bad.csv", 40, all));
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      status: "failed",
      partition: "file:all-bad.csv",
      counts: { received: 40, valid: 0, quarantined: 40, written: 0 },
      error: {
        tag: "QualityGateFailed",
        retryable: false,
        gate: {
          ratio: 1,
          threshold: 0.05,
          received: 40,
          valid: 0,
          quarantined: 40,
          top_reasons: [{ contract: "PRICE_VALIDITY", count: 40 }],
        },
      },
    });
    // Line numbers of the first rejected records (the header is line 1).
    expect(doc.error.gate.sample_indexes.slice(0, 3)).toEqual([2, 3, 4]);
    expect(doc.error.message).toContain("40 of 40 records quarantined (100% > 5%)");
    expect(doc.dead_letter_id).toBeUndefined();

    expect(await readiness("trade_data", "INGEST", "file:all-bad.csv")).toEqual([0]);
    const [manifest] = await query(
      db.url,
      "SELECT status, metadata FROM core_manifest WHERE capture_id = ?",
      [doc.capture_id],
    );
    expect(manifest?.status).toBe("failed");
    expect(JSON.parse(String(manifest?.metadata)).details.quality_gate).toEqual({
      ratio: 1,
      threshold: 0.05,
      passed: false,
    });

    const found = await anomaliesOf("file:all-bad.csv");
    expect(found.map((a) => [a.rule, a.category, a.severity, a.stage])).toEqual([
      ["CONTRACT_VIOLATIONS", "VALIDATION", "MEDIUM", "INGEST"],
      ["QUALITY_GATE", "QUALITY_GATE", "HIGH", "INGEST"],
    ]);
    const gate = JSON.parse(String(found[1]?.metadata));
    expect(gate).toMatchObject({
      ratio: 1,
      threshold: 0.05,
      received: 40,
      valid: 0,
      quarantined: 40,
      top_reasons: [{ contract: "PRICE_VALIDITY", count: 40 }],
      capture_id: doc.capture_id,
    });
    expect(gate.sample_indexes).toHaveLength(20);
    expect(JSON.parse(String(found[0]?.metadata)).by_contract).toEqual({ PRICE_VALIDITY: 40 });

    // The same file name fixed: the partition passes, is ready, and both anomalies resolve.
    const fixed = await ingest(await executions("all-bad.csv", 40));
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).status).toBe("complete");
    expect(await readiness("trade_data", "INGEST", "file:all-bad.csv")).toEqual([1]);
    const after = await anomaliesOf("file:all-bad.csv");
    expect(after).toHaveLength(2);
    expect(after.every((a) => a.resolved_at !== null)).toBe(true);
  });

  it("a 1%-bad file passes, with one VALIDATION summary anomaly, resolved by a clean run", async () => {
    const result = await ingest(await executions("one-percent.csv", 100, new Set([41])));
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout);
    expect(doc).toMatchObject({
      status: "complete",
      counts: { received: 100, valid: 99, quarantined: 1, written: 99 },
    });
    expect(doc.error).toBeUndefined();
    expect(await readiness("trade_data", "INGEST", "file:one-percent.csv")).toEqual([1]);
    const found = await anomaliesOf("file:one-percent.csv");
    expect(found.map((a) => [a.rule, a.category, a.severity, a.resolved_at])).toEqual([
      ["CONTRACT_VIOLATIONS", "VALIDATION", "MEDIUM", null],
    ]);
    expect(found[0]?.message).toBe("1 of 100 records quarantined: PRICE_VALIDITY ×1");
    expect(JSON.parse(String(found[0]?.metadata))).toMatchObject({
      by_contract: { PRICE_VALIDITY: 1 },
      sample_indexes: [43],
    });

    await ingest(await executions("one-percent.csv", 100));
    const [resolved] = await anomaliesOf("file:one-percent.csv");
    expect(resolved?.resolved_at).not.toBeNull();
  });

  it("no valid record fails the gate even when the threshold would allow everything", async () => {
    const path = await executions("zero-valid.csv", 3, new Set([0, 1, 2]));
    const source = SOURCES.get("execution_csv");
    if (!source) throw new Error("no execution_csv source");
    const pipeline = sourcePipeline(source, parseSourceLocation(path), NodeFileSystem.layer);
    const exit = await Effect.runPromiseExit(
      runPipeline(new Registry<Pipeline>("pipeline").register(pipeline), {
        pipeline: pipeline.name,
        partition: "file:zero-valid.csv",
        trigger: "cli",
      }).pipe(
        Effect.provide(
          nodePipelineLayer({
            db: { url: db.url },
            vars: { QUALITY_GATE_OVERRIDES: `${pipeline.name}=1` },
            logLevel: LogLevel.None,
          }),
        ),
      ),
    );
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value).toMatchObject({
      status: "failed",
      error: {
        tag: "QualityGateFailed",
        message: "quality gate: no valid records among 3: PRICE_VALIDITY ×3",
        gate: { threshold: 1, ratio: 1 },
      },
    });
  });

  it("a trading day whose source sent no bar at all fails market_data.ingest_prices", async () => {
    const date = "2025-03-12";
    const symbols = universeSymbols("demo") ?? [];
    const empty = await startDemoFeed({
      port: 0,
      anomalies: symbols.map((symbol) => ({ kind: "missing_bar", symbol, date })),
    });
    try {
      const exit = await pipelineExit(
        db.url,
        empty.url,
        "market_data.ingest_prices",
        `${date}|demo`,
      );
      if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
      expect(exit.value).toMatchObject({
        status: "failed",
        counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        error: {
          tag: "QualityGateFailed",
          message: "quality gate: no records received where data was expected",
        },
      });
      expect(await readiness("market_data", "INGEST", `${date}|demo`)).toEqual([0]);
      // A weekend has no session: no data is expected, nothing is gated.
      const sunday = await pipelineExit(
        db.url,
        empty.url,
        "market_data.ingest_prices",
        "2025-03-16|demo",
      );
      expect(Exit.isSuccess(sunday) && sunday.value.status).toBe("no_data_expected");
    } finally {
      await empty.close();
    }
  });
});

describe("FINRA: the normalize stage is gated and its dependants refuse it", {
  timeout: 60_000,
}, () => {
  it("1 bad line of 15 (6.67%) fails normalize; aggregate is refused; valid rows are kept", async () => {
    const partition = "2025-01-17|NMS_TIER_2";
    const ingested = await pipelineExit(
      db.url,
      feed.url,
      "finra.otc_transparency.ingest_week",
      partition,
    );
    expect(Exit.isSuccess(ingested) && ingested.value.status).toBe("complete");
    const normalized = await pipelineExit(
      db.url,
      feed.url,
      "finra.otc_transparency.normalize_week",
      partition,
    );
    if (Exit.isFailure(normalized)) throw new Error(normalized.cause.toString());
    expect(normalized.value).toMatchObject({
      status: "failed",
      counts: { received: 15, valid: 14, quarantined: 1 },
      error: {
        tag: "QualityGateFailed",
        gate: { top_reasons: [{ contract: "VOLUME_VALIDITY", count: 1 }] },
      },
    });
    const [kept] = await query(
      db.url,
      "SELECT count(*) AS n FROM finra_otc_transparency_venue_volume WHERE week_ending = '2025-01-17' AND tier = 'NMS_TIER_2'",
    );
    expect(Number(kept?.n)).toBe(normalized.value.counts.written);
    expect(Number(kept?.n)).toBeGreaterThan(0);
    expect(await readiness("finra.otc_transparency", "NORMALIZE", partition)).toEqual([0]);
    const gate = await query(
      db.url,
      "SELECT category FROM core_anomalies WHERE partition_key = ? AND stage = 'NORMALIZE' AND rule = 'QUALITY_GATE' AND resolved_at IS NULL",
      [partition],
    );
    expect(gate).toEqual([expect.objectContaining({ category: "QUALITY_GATE" })]);

    const aggregate = await pipelineExit(
      db.url,
      feed.url,
      "finra.otc_transparency.aggregate_week",
      partition,
    );
    expect(Exit.isFailure(aggregate)).toBe(true);
    if (Exit.isFailure(aggregate) && aggregate.cause._tag === "Fail") {
      expect(aggregate.cause.error).toMatchObject({
        _tag: "DependenciesNotReady",
        missing: ["finra.otc_transparency.normalize_week"],
      });
    } else throw new Error("expected a DependenciesNotReady failure");
  });
});

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
