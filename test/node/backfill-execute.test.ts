/**
 * `executeBackfill` in-process on the in-memory stores: plan order, bounded concurrency,
 * failures recorded while the rest complete, the backfill id as every run's batch id, and
 * the same range twice giving the same results. (The same rows twice in `market_prices`:
 * `market-data-pipeline.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, TestClock } from "effect";
import { expect } from "vitest";
import {
  type BackfillPartitionResult,
  executeBackfill,
  newBackfillId,
  planBackfill,
} from "../../src/core/backfill/backfill";
import { StoreMemory } from "../../src/core/store/memory";
import {
  datedPipeline,
  logicLayer,
  notFound,
  outcome,
  registryOf,
} from "../fixtures/memory-pipelines";

const BROKEN_DATE = "2025-01-08";
const NOW = Date.parse("2025-03-03T12:00:00.000Z");

let inFlight = 0;
let mostInFlight = 0;
/** Every date answers 20 bars, except one whose every request is a 404. */
const PRICES = registryOf(
  datedPipeline("prices", (ctx) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
      }),
      () =>
        Effect.zipRight(
          Effect.yieldNow(),
          ctx.partitionKey.startsWith(BROKEN_DATE)
            ? Effect.fail(notFound(BROKEN_DATE, 'HTTP 404: {"status":"NOT_FOUND"}'))
            : Effect.succeed(outcome(20, 20)),
        ),
      () => Effect.sync(() => (inFlight -= 1)),
    ),
  ),
);

const backfill = (start: string, end: string, concurrency: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    mostInFlight = 0;
    const plan = yield* planBackfill(PRICES, {
      pipeline: "memory.prices",
      start,
      end,
      params: { scope: "demo" },
    });
    const settled: Array<number> = [];
    const report = yield* executeBackfill(PRICES, plan, {
      backfillId: newBackfillId(new Date(NOW)),
      concurrency,
      onSettled: (_result: BackfillPartitionResult, n: number) =>
        Effect.sync(() => settled.push(n)),
    });
    return { plan, report, settled };
  });

describe("executeBackfill", () => {
  it.effect("records a failed partition and completes the rest, in plan order", () =>
    Effect.gen(function* () {
      const { plan, report, settled } = yield* backfill("2025-01-06", "2025-01-12", 3);
      expect(report.partitions.map((p) => p.partition)).toEqual(plan.partitions);
      expect(report.partitions.map((p) => p.status)).toEqual([
        "complete",
        "complete",
        "failed",
        "no_data_expected", // 2025-01-09: National Day of Mourning for President Carter
        "complete",
        "no_data_expected",
        "no_data_expected",
      ]);
      expect(report).toMatchObject({
        status: "failed",
        total: 7,
        complete: 3,
        no_data_expected: 3,
        failed: 1,
        concurrency: 3,
      });
      expect(report.failures).toEqual([
        {
          partition: `${BROKEN_DATE}|demo`,
          error: expect.objectContaining({ tag: "PermanentSourceError", retryable: false }),
        },
      ]);
      expect(report.failures[0]?.error.message).toContain("HTTP 404");
      expect(settled).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(mostInFlight).toBeGreaterThan(1);
      expect(mostInFlight).toBeLessThanOrEqual(3);

      // Every run of the backfill carries its id as the batch id.
      const memory = yield* StoreMemory;
      const batches = new Set([...memory.manifest.values()].map((r) => r.batchId));
      expect([...batches]).toEqual([report.backfill_id]);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("the same range again gives the same results", () =>
    Effect.gen(function* () {
      const first = yield* backfill("2025-01-13", "2025-01-24", 4);
      const second = yield* backfill("2025-01-13", "2025-01-24", 1);
      expect(mostInFlight).toBe(1);
      const strip = (r: BackfillPartitionResult) => ({
        partition: r.partition,
        status: r.status,
        counts: r.counts,
      });
      expect(second.report.partitions.map(strip)).toEqual(first.report.partitions.map(strip));
      // Martin Luther King Jr. Day (20th) and one weekend: no data expected.
      expect(first.report).toMatchObject({ total: 12, complete: 9, no_data_expected: 3 });
    }).pipe(Effect.provide(logicLayer())),
  );
});
