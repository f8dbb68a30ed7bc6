/**
 * The quality gate on every run, on the in-memory stores: an ingestion of an all-bad file
 * fails (a QUALITY_GATE anomaly with its figures, not ready), a 1%-bad file passes, a run with
 * no valid record where records were due fails, and a trading day without a single bar fails
 * `market_data.ingest_prices`. (The CLI's exit codes: `ingest-cli.test.ts`; the FINRA
 * normalize gate over stored rows: `finra-stages.test.ts`; thresholds:
 * `quality-gate-thresholds.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, Exit, TestClock } from "effect";
import { expect } from "vitest";
import { runPipeline } from "../../src/core/pipeline/runner";
import { Manifest } from "../../src/core/store/manifest";
import { Readiness } from "../../src/core/store/readiness";
import { universeSymbols } from "../../src/domains/market_data/universes";
import { PIPELINES } from "../../src/domains/registry";
import { EXECUTION_CSV_DEFINITION } from "../../src/domains/trade_data/source";
import { memoryFeed } from "../fixtures/memory-feed";
import { logicLayer, storedAnomalies } from "../fixtures/memory-pipelines";
import { ingestOnce, memoryIngestPipeline, memorySource } from "../fixtures/memory-sources";

const NOW = Date.parse("2025-06-02T12:00:00.000Z");
const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";
const GATE_RULES = ["CONTRACT_VIOLATIONS", "QUALITY_GATE"];
/** The gate's figures for 40 records, all with a negative price: the run's and its anomaly's. */
const ALL_BAD_GATE = {
  ratio: 1,
  threshold: 0.05,
  received: 40,
  valid: 0,
  quarantined: 40,
  top_reasons: [{ contract: "PRICE_VALIDITY", count: 40 }],
};

/** An execution CSV of `rows` trades; the rows in `bad` have a negative price. */
const executions = (rows: number, bad: ReadonlySet<number> = new Set()) => {
  const lines = [HEADER];
  for (let i = 0; i < rows; i++) {
    const at = new Date(Date.parse("2025-01-02T14:31:00Z") + i * 1000).toISOString();
    lines.push(`Q-${i},CLIENT_Q,AAPL,BUY,100,${bad.has(i) ? "-1.5" : "243.12"},${at},XNAS`);
  }
  return `${lines.join("\n")}\n`;
};

/** `dataspine ingest --source execution_csv --file /data/<name>` of `text`, in memory. */
const ingest = (name: string, text: string) => {
  const { source } = memorySource(EXECUTION_CSV_DEFINITION, (t) => t.trade_id);
  const path = `/data/${name}`;
  return ingestOnce(memoryIngestPipeline(source, path, { [path]: text }), `file:${name}`);
};

const ready = (domain: string, stage: string, partition: string) =>
  Readiness.isReady(domain, stage, partition);

describe("the quality gate of an ingestion", () => {
  it.effect(
    "an all-bad file fails: QUALITY_GATE anomaly with its figures, not ready; a clean re-run heals it",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW);
        const all = new Set(Array.from({ length: 40 }, (_, i) => i));
        const doc = yield* ingest("all-bad.csv", executions(40, all));
        expect(doc).toMatchObject({
          status: "failed",
          partition: "file:all-bad.csv",
          counts: { received: 40, valid: 0, quarantined: 40, written: 0 },
          error: {
            tag: "QualityGateFailed",
            retryable: false,
            gate: ALL_BAD_GATE,
          },
        });
        const gateOf = doc.error as unknown as { gate: { sample_indexes: Array<number> } };
        // Line numbers of the first rejected records (the header is line 1).
        expect(gateOf.gate.sample_indexes.slice(0, 3)).toEqual([2, 3, 4]);
        expect(doc.error?.message).toContain("40 of 40 records quarantined (100% > 5%)");
        expect(doc.dead_letter_id).toBeUndefined();

        expect(yield* ready("trade_data", "INGEST", "file:all-bad.csv")).toBe(false);
        const manifest = yield* Manifest.find(doc.capture_id);
        expect(manifest?.status).toBe("failed");
        const details = yield* Manifest.details(doc.capture_id);
        expect(details.quality_gate).toEqual({ ratio: 1, threshold: 0.05, passed: false });

        const found = yield* storedAnomalies("file:all-bad.csv", GATE_RULES);
        expect(found.map((a) => [a.rule, a.category, a.severity, a.stage])).toEqual([
          ["CONTRACT_VIOLATIONS", "VALIDATION", "MEDIUM", "INGEST"],
          ["QUALITY_GATE", "QUALITY_GATE", "HIGH", "INGEST"],
        ]);
        expect(found[1]?.metadata).toMatchObject({ ...ALL_BAD_GATE, capture_id: doc.capture_id });
        expect(found[1]?.metadata.sample_indexes).toHaveLength(20);
        expect(found[0]?.metadata.by_contract).toEqual({ PRICE_VALIDITY: 40 });

        // The same file name fixed: the partition passes, is ready, and both anomalies resolve.
        yield* TestClock.adjust("1 minute");
        const fixed = yield* ingest("all-bad.csv", executions(40));
        expect(fixed.status).toBe("complete");
        expect(yield* ready("trade_data", "INGEST", "file:all-bad.csv")).toBe(true);
        const after = yield* storedAnomalies("file:all-bad.csv", GATE_RULES);
        expect(after).toHaveLength(2);
        expect(after.every((a) => a.resolvedAt !== null)).toBe(true);
      }).pipe(Effect.provide(logicLayer())),
  );

  it.effect(
    "a 1%-bad file passes, with one VALIDATION summary anomaly, resolved by a clean run",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW);
        const doc = yield* ingest("one-percent.csv", executions(100, new Set([41])));
        expect(doc).toMatchObject({
          status: "complete",
          counts: { received: 100, valid: 99, quarantined: 1, written: 99 },
        });
        expect(doc.error).toBeUndefined();
        expect(yield* ready("trade_data", "INGEST", "file:one-percent.csv")).toBe(true);
        const found = yield* storedAnomalies("file:one-percent.csv", GATE_RULES);
        expect(found.map((a) => [a.rule, a.category, a.severity, a.resolvedAt])).toEqual([
          ["CONTRACT_VIOLATIONS", "VALIDATION", "MEDIUM", null],
        ]);
        expect(found[0]?.message).toBe("1 of 100 records quarantined: PRICE_VALIDITY ×1");
        expect(found[0]?.metadata).toMatchObject({
          by_contract: { PRICE_VALIDITY: 1 },
          sample_indexes: [43],
        });

        yield* TestClock.adjust("1 minute");
        yield* ingest("one-percent.csv", executions(100));
        const [resolved] = yield* storedAnomalies("file:one-percent.csv", GATE_RULES);
        expect(resolved?.resolvedAt).not.toBeNull();
      }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("no valid record fails the gate even when the threshold would allow everything", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const result = yield* ingest("zero-valid.csv", executions(3, new Set([0, 1, 2])));
      expect(result).toMatchObject({
        status: "failed",
        error: {
          tag: "QualityGateFailed",
          message: "quality gate: no valid records among 3: PRICE_VALIDITY ×3",
          gate: { threshold: 1, ratio: 1 },
        },
      });
    }).pipe(
      Effect.provide(logicLayer({ QUALITY_GATE_OVERRIDES: "trade_data.ingest_execution_csv=1" })),
    ),
  );

  it.effect("a trading day whose source sent no bar at all fails market_data.ingest_prices", () => {
    const date = "2025-03-12";
    const feed = memoryFeed();
    feed.anomalies = (universeSymbols("demo") ?? []).map((symbol) => ({
      kind: "missing_bar" as const,
      symbol,
      date,
    }));
    const run = (partition: string) =>
      Effect.exit(
        runPipeline(PIPELINES, {
          pipeline: "market_data.ingest_prices",
          partition,
          trigger: "cli",
        }),
      );
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const exit = yield* run(`${date}|demo`);
      if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
      expect(exit.value).toMatchObject({
        status: "failed",
        counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        error: {
          tag: "QualityGateFailed",
          message: "quality gate: no records received where data was expected",
        },
      });
      expect(yield* ready("market_data", "INGEST", `${date}|demo`)).toBe(false);
      // A weekend has no session: no data is expected, nothing is gated.
      const sunday = yield* run("2025-03-16|demo");
      expect(Exit.isSuccess(sunday) && sunday.value.status).toBe("no_data_expected");
    }).pipe(Effect.provide(logicLayer({}, feed)));
  });
});
