/**
 * The partition schemes: a key parses into its typed partition and formats back to itself,
 * a bad key is a typed `InvalidPartitionKey` naming why, ranges list the scheme's dates × scopes,
 * the NYSE calendar says which partitions expect no data, and a pipeline body gets the typed
 * partition (a key the runner never checked is a defect, not a failure).
 */
import { Cause, Effect, Either, Exit } from "effect";
import { describe, expect, it } from "vitest";
import { adHocPartitions } from "../../src/core/ingest/source-pipeline";
import { PipelineName } from "../../src/core/model/ids";
import type { RunContext } from "../../src/core/model/run-context";
import { definePipeline } from "../../src/core/pipeline/define-pipeline";
import { splitDatedKey } from "../../src/core/pipeline/partition-scheme";
import { WEEKLY_BY_TIER } from "../../src/domains/finra_otc/partition";
import { DAILY_BY_UNIVERSE } from "../../src/domains/market_data/partition";
import { DAILY_BY_CLIENT } from "../../src/domains/trade_data/partition";

const left = <A, E extends { readonly message: string }>(e: Either.Either<A, E>) =>
  Either.isLeft(e) ? e.left.message : undefined;

describe("PartitionScheme", () => {
  it("parses a key into its typed partition and formats it back", () => {
    const p = Either.getOrThrow(DAILY_BY_UNIVERSE.parse("p", "2025-01-02|demo"));
    expect(p).toMatchObject({ date: "2025-01-02", universe: "demo" });
    expect(p.symbols).toContain("AAPL");
    expect(DAILY_BY_UNIVERSE.format(p)).toBe("2025-01-02|demo");
    const c = Either.getOrThrow(DAILY_BY_CLIENT.parse("p", "2025-01-03|Client A"));
    expect(c).toEqual({ date: "2025-01-03", clientId: "Client A" });
    const w = Either.getOrThrow(WEEKLY_BY_TIER.parse("p", "2025-02-21|OTCE"));
    expect(w).toEqual({ weekEnding: "2025-02-21", tier: "OTCE" });
    expect(WEEKLY_BY_TIER.format(w)).toBe("2025-02-21|OTCE");
  });

  it("refuses a bad key with InvalidPartitionKey and the reason", () => {
    const bad = DAILY_BY_UNIVERSE.parse("market_data.ingest_prices", "2025-01-02");
    expect(Either.isLeft(bad) && bad.left._tag).toBe("InvalidPartitionKey");
    expect(left(bad)).toBe(
      'partition must be "YYYY-MM-DD|<universe>", e.g. "2025-01-02|demo", got "2025-01-02"',
    );
    expect(left(DAILY_BY_UNIVERSE.parse("p", "2025-02-30|demo"))).toBe(
      '"2025-02-30" is not a calendar date YYYY-MM-DD',
    );
    expect(left(DAILY_BY_UNIVERSE.parse("p", "2025-01-02|nope"))).toContain(
      'unknown universe "nope"',
    );
    expect(left(DAILY_BY_CLIENT.parse("p", "2025-01-02|A|B"))).toContain('contains "|"');
    expect(left(WEEKLY_BY_TIER.parse("p", "2025-02-20|OTCE"))).toBe(
      "week ending 2025-02-20 is not a Friday",
    );
    expect(left(WEEKLY_BY_TIER.parse("p", "2025-02-21|TIER_9"))).toContain("must be one of");
  });

  it("lists a range's partitions: every day for one scope, every Friday × every tier", () => {
    const range = { start: "2025-02-14", end: "2025-02-24" };
    const weekly = WEEKLY_BY_TIER.range?.("p", range, {});
    expect(Either.getOrThrow(weekly!).map(WEEKLY_BY_TIER.format)).toEqual([
      "2025-02-14|NMS_TIER_1",
      "2025-02-14|NMS_TIER_2",
      "2025-02-14|OTCE",
      "2025-02-21|NMS_TIER_1",
      "2025-02-21|NMS_TIER_2",
      "2025-02-21|OTCE",
    ]);
    const daily = DAILY_BY_CLIENT.range?.(
      "p",
      { start: "2025-01-03", end: "2025-01-05" },
      {
        client: "CLIENT_A",
      },
    );
    expect(Either.getOrThrow(daily!).map(DAILY_BY_CLIENT.format)).toEqual([
      "2025-01-03|CLIENT_A",
      "2025-01-04|CLIENT_A",
      "2025-01-05|CLIENT_A",
    ]);
    const missing = DAILY_BY_UNIVERSE.range?.("p", range, {});
    expect(Either.isLeft(missing!) && missing.left._tag).toBe("InvalidBackfillParams");
    expect(left(DAILY_BY_UNIVERSE.range!("p", range, { universe: "x", extra: "1" }))).toBe(
      "unknown params extra; accepted: universe",
    );
  });

  it("follows the NYSE calendar where the scheme says so", () => {
    const day = (key: string) => Either.getOrThrow(DAILY_BY_UNIVERSE.parse("p", key));
    expect(DAILY_BY_UNIVERSE.closedReason(day("2025-01-02|demo"))).toBeUndefined();
    expect(DAILY_BY_UNIVERSE.closedReason(day("2025-01-04|demo"))).toMatch(/weekend/);
    expect(DAILY_BY_UNIVERSE.closedReason(day("2025-12-25|demo"))).toMatch(/Christmas/);
    // FINRA keeps a Friday that is a market holiday as its week ending.
    const goodFriday = Either.getOrThrow(WEEKLY_BY_TIER.parse("p", "2025-04-18|OTCE"));
    expect(WEEKLY_BY_TIER.closedReason(goodFriday)).toBeUndefined();
  });

  it("takes any 1-200 character key for an ad-hoc ingestion, dated ones with hints", () => {
    const scheme = adHocPartitions("file:x.csv");
    const file = Either.getOrThrow(scheme.parse("p", "file:2099-01-01.csv"));
    expect([scheme.dateOf(file), file.hints]).toEqual([undefined, {}]);
    const dated = Either.getOrThrow(scheme.parse("p", "2025-01-02|CLIENT_A"));
    expect([scheme.dateOf(dated), dated.hints]).toEqual([
      "2025-01-02",
      { date: "2025-01-02", scope: "CLIENT_A" },
    ]);
    expect(left(scheme.parse("p", ""))).toBe("partition must be 1-200 characters");
    expect(splitDatedKey("2025-01-02")).toEqual({ date: "2025-01-02", scope: undefined });
  });
});

describe("definePipeline", () => {
  const seen: Array<unknown> = [];
  const pipeline = definePipeline({
    name: PipelineName.make("test.typed"),
    domain: "test",
    stage: "INGEST",
    description: "records the partition it was handed",
    partitions: DAILY_BY_CLIENT,
    span: "Test.typed",
    run: (_ctx, partition) =>
      Effect.sync(() => {
        seen.push(partition);
        return {
          status: "complete",
          counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        } as const;
      }),
  });
  const ctx = (partitionKey: string) => ({ partitionKey }) as unknown as RunContext;
  // This body (and the no-data outcome, never reached on a weekday) uses no service.
  const runKey = (key: string) =>
    Effect.runPromiseExit(pipeline.run(ctx(key)) as Effect.Effect<unknown, unknown>);

  it("fills the registry's view from the scheme", () => {
    expect(pipeline.partitionExample).toBe("2025-01-02|CLIENT_A");
    expect(pipeline.parsePartition("2025-01-02|C").pipe(Either.getOrThrow)).toBe("2025-01-02|C");
    expect(pipeline.partitionDate("2025-01-02|C" as never)).toBe("2025-01-02");
    expect(pipeline.partitionsForRange).toBeDefined();
  });

  it("hands the body the typed partition; an unchecked bad key is a defect", async () => {
    const exit = await runKey("2025-01-02|CLIENT_A");
    expect(Exit.isSuccess(exit)).toBe(true);
    expect(seen).toEqual([{ date: "2025-01-02", clientId: "CLIENT_A" }]);
    const bad = await runKey("not a key");
    expect(Exit.isFailure(bad) && Cause.isDie(bad.cause)).toBe(true);
    expect(seen).toHaveLength(1);
  });
});
