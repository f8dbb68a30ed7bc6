/**
 * Backfill planning (pure) and the coordinator's settle decisions (pure).
 */
import { it } from "@effect/vitest";
import { Effect, Either, TestClock } from "effect";
import { describe, expect } from "vitest";
import {
  datesInRange,
  isBackfillId,
  MAX_BACKFILL_DAYS,
  newBackfillId,
  planBackfill,
  summarize,
  validateRange,
} from "../../src/core/backfill/backfill";
import { type PartitionView, settleCheck, settleRun } from "../../src/core/backfill/slice";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import { PIPELINES } from "../../src/domains/registry";

const PIPELINE = "market_data.ingest_prices";
const demo = { universe: "demo" };

const failureOf = <A, E>(effect: Effect.Effect<A, E>) => Effect.flip(effect);

describe("planBackfill", () => {
  it.live("lists every calendar day of the range, in order, as YYYY-MM-DD|universe", () =>
    Effect.gen(function* () {
      const plan = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2025-01-06",
        end: "2025-01-12",
        params: demo,
      });
      expect(plan).toEqual({
        pipeline: PIPELINE,
        start: "2025-01-06",
        end: "2025-01-12",
        params: demo,
        // The 9th (NYSE closed) and the weekend are planned: their runs say no_data_expected.
        partitions: [
          "2025-01-06|demo",
          "2025-01-07|demo",
          "2025-01-08|demo",
          "2025-01-09|demo",
          "2025-01-10|demo",
          "2025-01-11|demo",
          "2025-01-12|demo",
        ],
      });
    }),
  );

  it.live("is deterministic: the same range twice gives the identical order", () =>
    Effect.gen(function* () {
      const request = { pipeline: PIPELINE, start: "2024-02-20", end: "2024-03-05", params: demo };
      const first = yield* planBackfill(PIPELINES, request);
      const second = yield* planBackfill(PIPELINES, request);
      expect(second.partitions).toEqual(first.partitions);
      expect(first.partitions).toContain("2024-02-29|demo");
      expect([...first.partitions].sort()).toEqual(first.partitions);
    }),
  );

  it.live("a single day and the longest range are fine", () =>
    Effect.gen(function* () {
      const one = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2025-04-01",
        end: "2025-04-01",
        params: demo,
      });
      expect(one.partitions).toEqual(["2025-04-01|demo"]);
      const end = datesInRange({ start: "2020-01-01", end: "2030-01-01" })[MAX_BACKFILL_DAYS - 1]!;
      const longest = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2020-01-01",
        end,
        params: demo,
      });
      expect(longest.partitions).toHaveLength(MAX_BACKFILL_DAYS);
    }),
  );

  it.live("bad ranges are InvalidBackfillRange", () =>
    Effect.gen(function* () {
      const cases: Array<[string, string, string]> = [
        ["2025-01-10", "2025-01-06", "after"],
        ["2025-02-30", "2025-03-02", "start must be a calendar date"],
        ["2025-01-01", "2025-13-01", "end must be a calendar date"],
        ["25-01-01", "2025-01-02", "start must be a calendar date"],
        ["2015-01-01", "2025-01-01", "at most 1830"],
      ];
      for (const [start, end, message] of cases) {
        const error = yield* failureOf(
          planBackfill(PIPELINES, { pipeline: PIPELINE, start, end, params: demo }),
        );
        expect(error._tag).toBe("InvalidBackfillRange");
        expect(error.message).toContain(message);
      }
    }),
  );

  it.effect("refuses a range that ends after today in New York, naming today", () =>
    Effect.gen(function* () {
      // Friday 10 January 2025, 21:00 New York (02:00 UTC on the 11th).
      yield* TestClock.setTime(Date.parse("2025-01-11T02:00:00Z"));
      const upToToday = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start: "2025-01-06",
        end: "2025-01-10",
        params: demo,
      });
      expect(upToToday.partitions.at(-1)).toBe("2025-01-10|demo");
      const error = yield* failureOf(
        planBackfill(PIPELINES, {
          pipeline: PIPELINE,
          start: "2025-01-06",
          end: "2025-01-11",
          params: demo,
        }),
      );
      expect(error).toMatchObject({
        _tag: "InvalidBackfillRange",
        start: "2025-01-06",
        end: "2025-01-11",
      });
      expect(error.message).toBe(
        "end 2025-01-11 is after today (2025-01-10, America/New_York): partitions after today have no data yet; end the range on or before 2025-01-10",
      );
      // FINRA week endings too: a range reaching next Friday is refused.
      const finra = yield* failureOf(
        planBackfill(PIPELINES, {
          pipeline: "finra.otc_transparency.ingest_week",
          start: "2025-01-01",
          end: "2025-01-17",
        }),
      );
      expect(finra._tag).toBe("InvalidBackfillRange");
    }),
  );

  it.live("unknown pipelines and bad params are typed errors", () =>
    Effect.gen(function* () {
      const range = { start: "2025-01-06", end: "2025-01-07" };
      const unknown = yield* failureOf(
        planBackfill(PIPELINES, { pipeline: "nope.nothing", ...range, params: demo }),
      );
      expect(unknown).toMatchObject({ _tag: "UnknownPipeline", pipeline: "nope.nothing" });
      for (const params of [{}, { universe: "nowhere" }, { universe: "demo", venue: "x" }]) {
        const error = yield* failureOf(
          planBackfill(PIPELINES, { pipeline: PIPELINE, ...range, params }),
        );
        expect(error).toMatchObject({ _tag: "InvalidBackfillParams", pipeline: PIPELINE });
      }
    }),
  );

  it.live("a pipeline without partitionsForRange cannot be backfilled", () =>
    Effect.gen(function* () {
      const { partitionsForRange: _, ...rest } = PIPELINES.get(PIPELINE)!;
      const registry = new Registry<Pipeline>("pipeline").register(rest);
      const error = yield* failureOf(
        planBackfill(registry, { pipeline: PIPELINE, start: "2025-01-06", end: "2025-01-06" }),
      );
      expect(error._tag).toBe("BackfillNotSupported");
    }),
  );
});

describe("backfill ids, ranges and summaries", () => {
  it("ids are sortable by time and recognisable", () => {
    const a = newBackfillId(new Date("2025-04-01T00:00:00Z"));
    expect(a).toMatch(/^backfill\.20250401T000000Z\.[0-9a-f]{12}$/);
    expect(isBackfillId(a)).toBe(true);
    expect(isBackfillId("backfill.x")).toBe(false);
  });

  it("validateRange counts both ends", () => {
    expect(Either.isRight(validateRange("2025-01-01", "2025-01-01", 1))).toBe(true);
    expect(Either.isLeft(validateRange("2025-01-01", "2025-01-02", 1))).toBe(true);
  });

  it("summarize keeps failures in plan order", () => {
    const counts = { received: 0, valid: 0, quarantined: 0, written: 0 };
    const base = { capture_id: null, execution_id: null, counts };
    const error = { tag: "PermanentSourceError", message: "404", retryable: false };
    const summary = summarize([
      { ...base, partition: "a", status: "failed", error },
      { ...base, partition: "b", status: "complete" },
      { ...base, partition: "c", status: "no_data_expected" },
      { ...base, partition: "d", status: "failed", error },
    ]);
    expect(summary).toMatchObject({ status: "failed", total: 4, complete: 1, failed: 2 });
    expect(summary.failures.map((f) => f.partition)).toEqual(["a", "d"]);
  });
});

describe("coordinator decisions", () => {
  const now = Date.parse("2025-04-01T12:00:00Z");
  const view = (status: string, startedAt: string | null = "2025-04-01T11:00:00.000Z") =>
    ({
      status,
      capture_id: "cap",
      execution_id: "exec",
      error: null,
      started_at: startedAt,
      next_retry_at: null,
    }) satisfies PartitionView;

  it("final answers are recorded; a retrying actor is checked again after its retry", () => {
    expect(settleRun(view("complete"), now)).toMatchObject({ kind: "final", status: "complete" });
    expect(settleRun(view("failed"), now)).toMatchObject({ kind: "final", status: "failed" });
    const retryAt = "2025-04-01T12:00:30.000Z";
    expect(settleRun({ ...view("retrying"), next_retry_at: retryAt }, now)).toEqual({
      kind: "retrying",
      checkAtMs: Date.parse(retryAt) + 1_000,
    });
  });

  it("an actor whose retry is overdue is not asked again at once (no spin)", () => {
    const overdue = { ...view("retrying"), next_retry_at: "2025-04-01T11:59:00.000Z" };
    expect(settleRun(overdue, now)).toEqual({ kind: "retrying", checkAtMs: now + 5_000 });
  });

  it("a crashed dispatch adopts a run that started after it, and only such a run", () => {
    const dispatchedAt = "2025-04-01T10:00:00.000Z";
    expect(settleCheck(view("complete"), dispatchedAt, now)).toMatchObject({ kind: "final" });
    const older = view("complete", "2025-04-01T09:00:00.000Z");
    expect(settleCheck(older, dispatchedAt, now)).toEqual({ kind: "redispatch" });
    expect(settleCheck(null, dispatchedAt, now)).toEqual({ kind: "redispatch" });
    // A run in flight is joined by dispatching again (the actor runs one run at a time).
    expect(settleCheck(view("running"), dispatchedAt, now)).toEqual({ kind: "redispatch" });
  });
});
