/**
 * `market_data.ingest_prices` runs that end before writing a bar, on the in-memory stores and
 * the memory feed: closed days without a request, refusals of bad keys, a permanent 4xx or a
 * body that is not JSON after one attempt, transient errors once attempts run out, and the
 * dead letters they leave. (Runs that write `market_prices`: `market-data-pipeline.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, Exit, TestClock } from "effect";
import { expect } from "vitest";
import { type RunRequest, runPipeline } from "../../src/core/pipeline/runner";
import { DeadLetters } from "../../src/core/store/dead-letters";
import { Manifest } from "../../src/core/store/manifest";
import { StoreMemory } from "../../src/core/store/memory";
import { PIPELINES } from "../../src/domains/registry";
import { type MemoryFeed, memoryFeed, type ScriptedAnswer } from "../fixtures/memory-feed";
import { logicLayer } from "../fixtures/memory-pipelines";

const PIPELINE = "market_data.ingest_prices";
const NOW = Date.parse("2025-12-31T12:00:00.000Z");

const aggPath = (symbol: string, date: string) =>
  `/v2/aggs/ticker/${symbol}/range/1/day/${date}/${date}`;

const run = (partition: string, extra: Partial<RunRequest> = {}) =>
  Effect.exit(runPipeline(PIPELINES, { pipeline: PIPELINE, partition, trigger: "cli", ...extra }));

const runOk = (partition: string, extra: Partial<RunRequest> = {}) =>
  Effect.flatMap(run(partition, extra), (exit) =>
    Exit.isSuccess(exit) ? Effect.succeed(exit.value) : Effect.die(exit.cause.toString()),
  );

/** The memory feed answering `script` first, and the layer of runs over it. */
const over = (script: (path: string, count: number) => ScriptedAnswer = () => undefined) => {
  const feed = memoryFeed(script);
  const layer = logicLayer({ RETRY_BASE_DELAY_MS: "1", RETRY_MAX_ATTEMPTS: "3" }, feed);
  return { feed, layer };
};

const requestsFor = (feed: MemoryFeed, part: string) =>
  feed.requests.filter((p) => p.includes(part)).length;

describe("market_data.ingest_prices before any write", () => {
  it.effect("weekends and NYSE holidays are no_data_expected without a request", () => {
    const { feed, layer } = over();
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      for (const [partition, reason] of [
        ["2025-01-04|demo", "weekend"],
        ["2025-01-09|demo", "NYSE holiday: National Day of Mourning for President Jimmy Carter"],
        ["2025-12-25|demo", "NYSE holiday: Christmas Day"],
      ] as const) {
        const result = yield* runOk(partition);
        expect(result.status).toBe("no_data_expected");
        expect(result.counts).toEqual({ received: 0, valid: 0, quarantined: 0, written: 0 });
        const details = yield* Manifest.details(result.capture_id);
        expect(String(details.reason)).toMatch(reason.split(":")[0] ?? reason);
      }
      expect(feed.requests).toEqual([]);
    }).pipe(Effect.provide(layer));
  });

  it.effect(
    "fails a run on a permanent 4xx after exactly one attempt, and on a body that is not JSON",
    () => {
      const { feed, layer } = over((path) =>
        path === aggPath("JPM", "2025-01-08")
          ? { status: 404, body: '{"status":"NOT_FOUND"}' }
          : path === aggPath("KO", "2025-01-10")
            ? { status: 200, body: "<html>oops" }
            : undefined,
      );
      return Effect.gen(function* () {
        yield* TestClock.setTime(NOW);
        const result = yield* runOk("2025-01-08|demo");
        expect(result.status).toBe("failed");
        expect(result.attempts).toBe(1);
        expect(result.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
        expect(result.error?.message).toContain("HTTP 404");
        expect(requestsFor(feed, "/JPM/")).toBe(1);
        expect((yield* Manifest.find(result.capture_id))?.status).toBe("failed");

        const html = yield* runOk("2025-01-10|demo");
        expect(html.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
        expect(html.error?.message).toContain("not JSON");
      }).pipe(Effect.provide(layer));
    },
  );

  it.live("keeps failing transient errors retryable once attempts run out", () => {
    const { layer } = over((path) =>
      path === aggPath("V", "2025-01-13") ? { status: 502, body: "bad gateway" } : undefined,
    );
    return Effect.gen(function* () {
      const result = yield* runOk("2025-01-13|demo");
      expect(result).toMatchObject({ status: "failed", attempts: 1 });
      expect(result.error).toMatchObject({ tag: "TransientSourceError", retryable: true });
      expect(result.error?.message).toContain("HTTP 502: bad gateway (after 3 attempts)");
    }).pipe(Effect.provide(layer));
  });

  it.effect("refuses unknown pipelines and malformed partition keys with typed errors", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const tagOf = (exit: Exit.Exit<unknown, { _tag: string; message: string }>) =>
        Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined;
      expect(tagOf(yield* run("2025-02-30|demo"))?._tag).toBe("InvalidPartitionKey");
      expect(tagOf(yield* run("2025-01-02|nope"))?.message).toContain('unknown universe "nope"');
      const unknown = yield* Effect.exit(
        runPipeline(PIPELINES, { pipeline: "nope.pipeline", partition: "x", trigger: "cli" }),
      );
      expect(tagOf(unknown)?._tag).toBe("UnknownPipeline");
      expect((yield* StoreMemory).manifest.size).toBe(0);
    }).pipe(Effect.provide(over().layer)),
  );
});

describe("dead letters", () => {
  it.effect("a permanent 4xx is dead-lettered after exactly one attempt, with the payload", () => {
    const { feed, layer } = over((path) =>
      path === aggPath("JNJ", "2025-05-15")
        ? { status: 404, body: "no such bar (404)" }
        : undefined,
    );
    return Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const result = yield* runOk("2025-05-15|demo");
      expect(result.status).toBe("failed");
      expect(result.dead_letter_id).toMatch(/^dl_[0-9a-f]{24}$/);
      const letter = yield* DeadLetters.get(result.dead_letter_id ?? "");
      expect(letter).toMatchObject({
        pipeline: PIPELINE,
        partition_key: "2025-05-15|demo",
        source: "polygon",
        error_tag: "PermanentSourceError",
        attempts: 1,
        status: "open",
        capture_id: result.capture_id,
        request: { method: "GET" },
      });
      expect(letter?.request.url).toContain(aggPath("JNJ", "2025-05-15"));
      expect(letter?.payload).toContain("no such bar (404)");
      expect(requestsFor(feed, "/JNJ/")).toBe(1);
      const memory = yield* StoreMemory;
      const events = memory.audit
        .filter((e) => e.event.captureId === result.capture_id)
        .map((e) => e.event.eventType);
      expect(events).toContain("dead_lettered");

      // The same failure again refreshes the same dead letter.
      yield* TestClock.adjust("1 minute");
      const again = yield* runOk("2025-05-15|demo");
      expect(again.dead_letter_id).toBe(result.dead_letter_id);
      expect(yield* DeadLetters.list({})).toHaveLength(1);
    }).pipe(Effect.provide(layer));
  });

  it.live("a transient failure is dead-lettered only when no retry follows", () => {
    const { layer } = over((path) =>
      path === aggPath("PG", "2025-05-16") ? { status: 503, body: "busy" } : undefined,
    );
    return Effect.gen(function* () {
      const notFinal = yield* runOk("2025-05-16|demo", { finalAttempt: false });
      expect(notFinal.status).toBe("failed");
      expect(notFinal.dead_letter_id).toBeUndefined();
      expect(yield* DeadLetters.list({})).toEqual([]);
      const final = yield* runOk("2025-05-16|demo");
      expect(final.dead_letter_id).toBeDefined();
      expect(yield* DeadLetters.get(final.dead_letter_id ?? "")).toMatchObject({
        attempts: 3,
        error_tag: "TransientSourceError",
      });
    }).pipe(Effect.provide(layer));
  });
});
