/**
 * Errors in one place, on the in-memory stores: network failures after the run's retries,
 * dead letters and detector crashes land in `core_anomalies` with the seed's categories and
 * are resolved by a later good run; filters take the seed's severity names. (Migration 0011
 * of the table is checked in `database.test.ts` and the CLI's filters in
 * `anomalies-pipeline.test.ts`, on a real file.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, TestClock } from "effect";
import { expect } from "vitest";
import { parseSeverity } from "../../src/core/model/anomaly-vocabulary";
import { runPipeline } from "../../src/core/pipeline/runner";
import { listAnomalies } from "../../src/core/store/anomalies";
import { detectionStep } from "../../src/detectors/record";
import { EXECUTION_CSV_DEFINITION } from "../../src/domains/trade_data/source";
import { memoryFeed } from "../fixtures/memory-feed";
import {
  logicLayer,
  outcome,
  registryOf,
  scriptedPipeline,
  storedAnomalies,
  unavailable,
} from "../fixtures/memory-pipelines";
import { ingestOnce, memoryIngestPipeline, memorySource } from "../fixtures/memory-sources";
import { testContext } from "../fixtures/run-context";

const RETRIES = { RETRY_BASE_DELAY_MS: "1", RETRY_MAX_ATTEMPTS: "2" };
const SOURCE_RULES = ["NETWORK_FAILURE", "DEAD_LETTER"];

const csv = (client: string, date: string) =>
  [
    "trade_id,client_id,symbol,side,quantity,price,timestamp,venue",
    `N-1,${client},AAPL,BUY,100,240.5,${date}T15:00:00Z,XNAS`,
    `N-2,${client},AAPL,SELL,100,240.6,${date}T15:01:00Z,XNAS`,
  ].join("\n");

/** One client's executions for 2025-01-03, fetched from the memory feed. */
const executionsOf = (client: string, feed: ReturnType<typeof memoryFeed>) => {
  const { source } = memorySource(EXECUTION_CSV_DEFINITION, (t) => t.trade_id);
  return memoryIngestPipeline(source, `${feed.url}/v1/executions/2025-01-03/${client}.csv`);
};

describe("source failures in core_anomalies", () => {
  it.live(
    "a network failure after the run's retries is NETWORK; dead-lettered, a DEAD_LETTER; a good run resolves both",
    () => {
      const feed = memoryFeed();
      const partition = "2025-01-03|CLIENT_NET";
      let down = true;
      feed.script = (path) =>
        path.endsWith("/2025-01-03/CLIENT_NET.csv")
          ? down
            ? { status: 503, body: "busy", headers: { "retry-after": "0" } }
            : { status: 200, body: csv("CLIENT_NET", "2025-01-03") }
          : undefined;
      const pipeline = executionsOf("CLIENT_NET", feed);
      return Effect.gen(function* () {
        // An actor's alarm will retry: no dead letter yet, a MEDIUM network anomaly.
        const retried = yield* ingestOnce(pipeline, partition, false);
        expect(retried).toMatchObject({ status: "failed", error: { retryable: true } });
        expect(retried.dead_letter_id).toBeUndefined();
        let found = yield* storedAnomalies(partition, SOURCE_RULES);
        expect(found.map((a) => [a.rule, a.category, a.severity, a.resolvedAt])).toEqual([
          ["NETWORK_FAILURE", "NETWORK", "MEDIUM", null],
        ]);
        expect(found[0]?.metadata).toMatchObject({
          reason: "status",
          attempts: 2,
          error_tag: "TransientSourceError",
        });

        // The last attempt: the request is dead-lettered, and so is the anomaly's category.
        const dead = yield* ingestOnce(pipeline, partition);
        expect(dead.dead_letter_id).toMatch(/^dl_/);
        found = yield* storedAnomalies(partition, SOURCE_RULES);
        expect(found.map((a) => [a.rule, a.category, a.severity])).toEqual([
          ["DEAD_LETTER", "NETWORK", "HIGH"],
          ["NETWORK_FAILURE", "NETWORK", "MEDIUM"],
        ]);
        expect(found[0]?.metadata).toMatchObject({
          dead_letter_id: dead.dead_letter_id,
          status: 503,
        });

        down = false;
        const ok = yield* ingestOnce(pipeline, partition);
        expect(ok.status).toBe("complete");
        found = yield* storedAnomalies(partition, SOURCE_RULES);
        expect(found.every((a) => a.resolvedAt !== null)).toBe(true);
      }).pipe(Effect.provide(logicLayer(RETRIES, feed)));
    },
  );

  it.live("a permanent failure (HTTP 404) is dead-lettered as VALIDATION", () => {
    const feed = memoryFeed((path) =>
      path.endsWith("/CLIENT_GONE.csv") ? { status: 404, body: "no such client" } : undefined,
    );
    return Effect.gen(function* () {
      const failed = yield* ingestOnce(executionsOf("CLIENT_GONE", feed), "2025-01-03|CLIENT_GONE");
      expect(failed.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
      const found = yield* storedAnomalies("2025-01-03|CLIENT_GONE", SOURCE_RULES);
      expect(found.map((a) => [a.rule, a.category, a.severity])).toEqual([
        ["DEAD_LETTER", "VALIDATION", "HIGH"],
      ]);
      expect(found[0]?.message).toContain("HTTP 404");
    }).pipe(Effect.provide(logicLayer(RETRIES, feed)));
  });
});

describe("detector crashes", () => {
  it.effect(
    "a failed detection step records DETECTOR_ERROR (DATA_QUALITY); the next good step resolves it",
    () =>
      Effect.gen(function* () {
        const ctx = testContext("market_data", "2025-01-06|demo");
        const crash = yield* detectionStep(ctx, Effect.die(new Error("volume model exploded")));
        expect(crash.error).toContain("volume model exploded");
        const rows = () => storedAnomalies("2025-01-06|demo", ["DETECTOR_ERROR"]);
        const [row] = yield* rows();
        expect(row).toMatchObject({ category: "DATA_QUALITY", severity: "HIGH", resolvedAt: null });
        expect(row?.message).toContain("volume model exploded");

        const later = { ...ctx, capturedAt: new Date(Date.now() + 1000).toISOString() };
        yield* detectionStep(later, Effect.succeed({ anomalies: 0, by_rule: {}, resolved: 0 }));
        const [resolved] = yield* rows();
        expect(resolved?.resolvedAt).toBe(later.capturedAt);
      }).pipe(Effect.provide(logicLayer())),
  );
});

describe("filters speak the seed's severities and categories", () => {
  it("WARN means MEDIUM and up, ERROR means HIGH and up", () => {
    expect(["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "high", "x"].map(parseSeverity)).toEqual([
      "LOW",
      "LOW",
      "MEDIUM",
      "HIGH",
      "CRITICAL",
      "HIGH",
      undefined,
    ]);
  });

  it.effect("a severity filter is a minimum; category filters by the seed's word", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2025-01-04T21:00:00.000Z"));
      const down = unavailable("2025-01-03/a", 2);
      const failing = registryOf(scriptedPipeline("down", () => Effect.fail(down)));
      const request = {
        pipeline: "memory.down",
        partition: "2025-01-03|a",
        trigger: "cli",
      } as const;
      yield* runPipeline(failing, { ...request, finalAttempt: false });
      yield* runPipeline(failing, request);
      // A run whose records break a contract: a MEDIUM VALIDATION summary.
      const gated = registryOf(scriptedPipeline("gated", () => Effect.succeed(outcome(100, 99))));
      yield* runPipeline(gated, { ...request, pipeline: "memory.gated" });

      const errors = yield* listAnomalies({ severity: "HIGH" });
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((a) => a.severity === "HIGH" || a.severity === "CRITICAL")).toBe(true);
      const network = yield* listAnomalies({ category: "NETWORK" });
      expect(new Set(network.map((a) => a.rule))).toEqual(
        new Set(["DEAD_LETTER", "NETWORK_FAILURE"]),
      );
      const warn = yield* listAnomalies({ severity: "MEDIUM" });
      expect(warn.map((a) => a.rule).sort()).toEqual([
        "CONTRACT_VIOLATIONS",
        "DEAD_LETTER",
        "NETWORK_FAILURE",
      ]);
    }).pipe(Effect.provide(logicLayer())),
  );
});
