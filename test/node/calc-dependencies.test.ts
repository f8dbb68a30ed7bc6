/**
 * The calculation DAG on the in-memory stores: topological order and cycles, the stored DAG
 * kept equal to the registry, calculations refused until what they read is ready (a failed
 * run leaves its partition not ready), weekly backfill plans, backfills stage by stage, and
 * the readiness (with its week ending) every run leaves.
 */
import { describe, it } from "@effect/vitest";
import { Cause, Effect, Either, Exit, TestClock } from "effect";
import { expect } from "vitest";
import { executeBackfill, planBackfill } from "../../src/core/backfill/backfill";
import {
  InvalidCalcGraph,
  topologicalOrder,
  validateCalcGraph,
} from "../../src/core/pipeline/calc-dependencies";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import type { Registry } from "../../src/core/pipeline/registry";
import { runPipeline } from "../../src/core/pipeline/runner";
import { CalcDependencies } from "../../src/core/store/calc-dependencies";
import { Readiness } from "../../src/core/store/readiness";
import { weeklyRefresh } from "../../src/domains/finra_otc/workflow";
import { PIPELINES } from "../../src/domains/registry";
import { memoryFeed } from "../fixtures/memory-feed";
import {
  datedPipeline,
  logicLayer,
  notFound,
  outcome,
  registryOf,
} from "../fixtures/memory-pipelines";

const FINRA = "finra.otc_transparency";
const NOW = Date.parse("2025-09-01T12:00:00.000Z");

/** One run's exit, as the CLI starts it, at `NOW`. */
const runAt = (registry: Registry<Pipeline>, pipeline: string, partition: string) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    return yield* Effect.exit(runPipeline(registry, { pipeline, partition, trigger: "cli" }));
  });

const refusal = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? Cause.squash(exit.cause) : "ran";

describe("calculation DAG", () => {
  it.effect("orders calculations topologically and detects cycles", () =>
    Effect.gen(function* () {
      const order = yield* validateCalcGraph(PIPELINES);
      const at = (name: string) => order.indexOf(`${FINRA}.${name}`);
      expect(at("ingest_week")).toBeLessThan(at("normalize_week"));
      expect(at("normalize_week")).toBeLessThan(at("aggregate_week"));
      expect(at("aggregate_week")).toBeLessThan(at("compute_rolling"));
      const edges = [
        { calcId: "c", dependsOnCalcId: "b" },
        { calcId: "b", dependsOnCalcId: "a" },
        { calcId: "d", dependsOnCalcId: "a" },
      ];
      expect(yield* topologicalOrder(edges, ["d", "c", "b", "a"])).toEqual(["a", "b", "c", "d"]);
      const cyclic = yield* Effect.flip(
        topologicalOrder([...edges, { calcId: "a", dependsOnCalcId: "c" }], ["a", "b", "c"]),
      );
      expect(cyclic).toBeInstanceOf(InvalidCalcGraph);
    }),
  );

  it.effect("refuses a calculation whose dependency is not ready, and keeps the declared DAG", () =>
    Effect.gen(function* () {
      const normalize = yield* runAt(PIPELINES, `${FINRA}.normalize_week`, "2025-01-03|OTCE");
      expect(refusal(normalize)).toMatchObject({
        _tag: "DependenciesNotReady",
        missing: [`${FINRA}.ingest_week`],
      });
      const rolling = yield* runAt(PIPELINES, `${FINRA}.compute_rolling`, "2025-01-03|OTCE");
      expect(refusal(rolling)).toMatchObject({
        _tag: "DependenciesNotReady",
        missing: [`${FINRA}.aggregate_week`],
      });
      const stored = (yield* CalcDependencies.list).map((e) => [e.calcId, e.dependsOnCalcId]);
      expect(stored.sort()).toEqual([
        [`${FINRA}.aggregate_week`, `${FINRA}.normalize_week`],
        [`${FINRA}.compute_rolling`, `${FINRA}.aggregate_week`],
        [`${FINRA}.normalize_week`, `${FINRA}.ingest_week`],
      ]);
      // Refused before it started: nothing recorded, not even a failed run.
      expect(yield* Readiness.list({ domain: FINRA })).toEqual([]);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a failed ingest leaves the partition not ready, so normalize is refused", () => {
    const feed = memoryFeed();
    return Effect.gen(function* () {
      // No sample file for the week ending 2025-03-07: FINRA answers 404.
      const ingest = yield* runAt(PIPELINES, `${FINRA}.ingest_week`, "2025-03-07|OTCE");
      expect(Exit.isSuccess(ingest) && ingest.value).toMatchObject({
        status: "failed",
        error: { tag: "PermanentSourceError" },
      });
      expect(yield* Readiness.isReady(FINRA, "INGEST", "2025-03-07|OTCE")).toBe(false);
      expect((yield* Readiness.list({ domain: FINRA })).map((r) => r.is_ready)).toEqual([false]);
      const normalize = yield* runAt(PIPELINES, `${FINRA}.normalize_week`, "2025-03-07|OTCE");
      expect(refusal(normalize)).toMatchObject({ _tag: "DependenciesNotReady" });
    }).pipe(Effect.provide(logicLayer({}, feed)));
  });
});

describe("backfills and readiness", () => {
  it.effect("backfill plans the Fridays of a range per tier, in order", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const plan = yield* planBackfill(PIPELINES, {
        pipeline: `${FINRA}.ingest_week`,
        start: "2025-01-01",
        end: "2025-02-28",
        params: { tier: "NMS_TIER_1" },
      });
      expect(plan.partitions).toEqual(
        ["01-03", "01-10", "01-17", "01-24", "01-31", "02-07", "02-14", "02-21", "02-28"].map(
          (d) => `2025-${d}|NMS_TIER_1`,
        ),
      );
      // Good Friday 2025 (18 April) is an NYSE holiday; FINRA's week still ends that Friday.
      const easter = yield* planBackfill(PIPELINES, {
        pipeline: `${FINRA}.compute_rolling`,
        start: "2025-04-14",
        end: "2025-04-20",
      });
      expect(easter.partitions).toEqual([
        "2025-04-18|NMS_TIER_1",
        "2025-04-18|NMS_TIER_2",
        "2025-04-18|OTCE",
      ]);
      const bad = yield* Effect.exit(
        planBackfill(PIPELINES, {
          pipeline: `${FINRA}.ingest_week`,
          start: "2025-01-01",
          end: "2025-01-31",
          params: { tier: "X" },
        }),
      );
      expect(Exit.isFailure(bad)).toBe(true);
      expect(
        Either.isLeft(weeklyRefresh.partitionOf({ week_ending: "2025-01-04", tier: "OTCE" })),
      ).toBe(true);
    }),
  );

  it.effect("backfills stage by stage; a stage whose input is missing fails per partition", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const missing = notFound("2025-02-07");
      const registry = registryOf(
        datedPipeline("ingest", (ctx) =>
          ctx.partitionKey.startsWith("2025-02-07")
            ? Effect.fail(missing)
            : Effect.succeed(outcome(11, 11)),
        ),
        datedPipeline("normalize", () => Effect.succeed(outcome(11, 11)), {
          stage: "NORMALIZE",
          dependsOn: ["memory.ingest"],
        }),
      );
      const backfill = (pipeline: string) =>
        Effect.flatMap(
          planBackfill(registry, {
            pipeline,
            start: "2025-02-03",
            end: "2025-02-07",
            params: { scope: "OTCE" },
          }),
          (plan) =>
            executeBackfill(registry, plan, { backfillId: `bf.${pipeline}`, concurrency: 2 }),
        );
      const ingest = yield* backfill("memory.ingest");
      expect(ingest.partitions.map((p) => [p.partition, p.status])).toEqual([
        ["2025-02-03|OTCE", "complete"],
        ["2025-02-04|OTCE", "complete"],
        ["2025-02-05|OTCE", "complete"],
        ["2025-02-06|OTCE", "complete"],
        ["2025-02-07|OTCE", "failed"],
      ]);
      const normalize = yield* backfill("memory.normalize");
      expect(normalize.partitions.map((p) => p.status)).toEqual([
        "complete",
        "complete",
        "complete",
        "complete",
        "failed",
      ]);
      expect(normalize.partitions[4]?.error).toMatchObject({ tag: "DependenciesNotReady" });
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("every run marks its partition's readiness, with its week ending", () =>
    Effect.gen(function* () {
      const registry = registryOf(datedPipeline("ingest", () => Effect.succeed(outcome(3, 3))));
      const monday = yield* runAt(registry, "memory.ingest", "2025-08-04|demo");
      expect(Exit.isSuccess(monday) && monday.value.status).toBe("complete");
      const saturday = yield* runAt(registry, "memory.ingest", "2025-08-09|demo");
      expect(Exit.isSuccess(saturday) && saturday.value.status).toBe("no_data_expected");
      const rows = yield* Readiness.list({ domain: "memory" });
      expect(rows.map((r) => [r.partition_key, r.stage, r.week_ending, r.is_ready])).toEqual([
        ["2025-08-04|demo", "INGEST", "2025-08-08", true],
        ["2025-08-09|demo", "INGEST", "2025-08-08", true],
      ]);
    }).pipe(Effect.provide(logicLayer())),
  );
});
