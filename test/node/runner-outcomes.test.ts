/**
 * The runner's bookkeeping on the in-memory stores: the manifest row and readiness of a run,
 * its audit events, the quality gate, dead letters and the run's own anomalies, resolved by
 * a later good run; a store that fails never fails the run's effect.
 */
import { it } from "@effect/vitest";
import { Effect, TestClock } from "effect";
import { expect } from "vitest";
import { runPipeline } from "../../src/core/pipeline/runner";
import { Anomalies } from "../../src/core/store/anomalies";
import { DeadLetters } from "../../src/core/store/dead-letters";
import { Manifest } from "../../src/core/store/manifest";
import { StoreMemory } from "../../src/core/store/memory";
import { Readiness } from "../../src/core/store/readiness";
import {
  logicLayer,
  outcome,
  registryOf,
  scriptedPipeline,
  unavailable,
} from "../fixtures/memory-pipelines";

const PARTITION = "2025-01-02|a";
const NOW = Date.parse("2025-01-03T21:00:00.000Z");
const down = unavailable("2025-01-02/a", 3);

it.effect("a complete run: manifest row, readiness, audit events from start to end", () =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const registry = registryOf(scriptedPipeline("ok", () => Effect.succeed(outcome(4, 4))));
    const result = yield* runPipeline(registry, {
      pipeline: "memory.ok",
      partition: PARTITION,
      trigger: "cli",
      batchId: "batch-1",
    });
    expect(result).toMatchObject({ status: "complete", attempts: 1, counts: { written: 4 } });
    const row = yield* Manifest.find(result.capture_id);
    expect(row).toMatchObject({ status: "complete", partition_key: PARTITION });
    expect(row?.metadata).toMatchObject({ pipeline: "memory.ok", counts: { written: 4 } });
    expect(yield* Readiness.isReady("memory", "INGEST", PARTITION)).toBe(true);
    const memory = yield* StoreMemory;
    const events = memory.audit.map((e) => e.event.eventType);
    expect(events[0]).toBe("run_started");
    expect(events.at(-1)).toBe("run_completed");
    expect(memory.audit.every((e) => e.event.captureId === result.capture_id)).toBe(true);
    expect(yield* Anomalies.list({})).toEqual([]);
  }).pipe(Effect.provide(logicLayer())),
);

it.effect(
  "over 5% quarantined fails the gate, not ready, with anomalies a clean run resolves",
  () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      let valid = 5;
      const registry = registryOf(
        scriptedPipeline("gated", () => Effect.succeed(outcome(10, valid))),
      );
      const request = { pipeline: "memory.gated", partition: PARTITION, trigger: "cli" } as const;
      const failed = yield* runPipeline(registry, request);
      expect(failed.status).toBe("failed");
      expect(failed.error?.tag).toBe("QualityGateFailed");
      expect(yield* Readiness.isReady("memory", "INGEST", PARTITION)).toBe(false);
      const open = yield* Anomalies.list({ unresolved: true });
      expect(open.map((a) => [a.rule, a.category]).sort()).toEqual([
        ["CONTRACT_VIOLATIONS", "VALIDATION"],
        ["QUALITY_GATE", "QUALITY_GATE"],
      ]);
      valid = 10;
      yield* TestClock.adjust("1 second");
      const healed = yield* runPipeline(registry, request);
      expect(healed.status).toBe("complete");
      expect(yield* Readiness.isReady("memory", "INGEST", PARTITION)).toBe(true);
      expect(yield* Anomalies.list({ unresolved: true })).toEqual([]);
    }).pipe(Effect.provide(logicLayer())),
);

it.effect(
  "a transient failure: a network anomaly while a retry follows, a dead letter when none does",
  () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const registry = registryOf(scriptedPipeline("down", () => Effect.fail(down)));
      const request = { pipeline: "memory.down", partition: PARTITION, trigger: "alarm" } as const;
      const retrying = yield* runPipeline(registry, { ...request, finalAttempt: false });
      expect(retrying.status).toBe("failed");
      expect(yield* DeadLetters.list({})).toEqual([]);
      expect((yield* Anomalies.list({})).map((a) => [a.rule, a.category])).toEqual([
        ["NETWORK_FAILURE", "NETWORK"],
      ]);
      yield* TestClock.adjust("1 second");
      const last = yield* runPipeline(registry, request);
      expect(last.status).toBe("failed");
      const [letter] = yield* DeadLetters.list({});
      expect(letter).toMatchObject({
        pipeline: "memory.down",
        partition_key: PARTITION,
        error_tag: "TransientSourceError",
        attempts: 3,
        status: "open",
      });
      const rules = (yield* Anomalies.list({ unresolved: true })).map((a) => a.rule).sort();
      expect(rules).toContain("DEAD_LETTER");
    }).pipe(Effect.provide(logicLayer())),
);

it.effect("failing bookkeeping writes are logged; the run still ends in a result", () =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const memory = yield* StoreMemory;
    memory.failing.add("anomalies.upsert").add("readiness.mark");
    const registry = registryOf(scriptedPipeline("gated", () => Effect.succeed(outcome(10, 1))));
    const result = yield* runPipeline(registry, {
      pipeline: "memory.gated",
      partition: PARTITION,
      trigger: "cli",
    });
    expect(result.status).toBe("failed");
    expect(memory.anomalies.size).toBe(0);
    expect((yield* Manifest.find(result.capture_id))?.status).toBe("failed");
  }).pipe(Effect.provide(logicLayer())),
);
