/**
 * A partition dated after today in New York is refused before any run (`PartitionInFuture`,
 * CLI exit 2): no manifest row, no readiness, no anomaly.
 */
import { it as effectIt } from "@effect/vitest";
import { Cause, Effect, Exit, TestClock } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, dayOfWeek } from "../../src/calendar/dates";
import { newYorkDate } from "../../src/calendar/sessions";
import { partitionDate, refuseFuturePartition } from "../../src/core/pipeline/partition-time";
import { dataspine } from "../fixtures/cli";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

// Two days ahead, so a test running across New York midnight still asks for a future date.
const ahead = addDays(newYorkDate(Date.now()), 2);
const futureFriday = (() => {
  let d = ahead;
  while (dayOfWeek(d) !== 4) d = addDays(d, 1);
  return d;
})();

describe("future partitions from the CLI", { timeout: 60_000 }, () => {
  it("run refuses a date after today and 9999-12-31 with exit 2, recording nothing", async () => {
    for (const partition of [`${ahead}|demo`, "9999-12-31|demo"]) {
      const result = await dataspine(
        db.url,
        "run",
        "market_data.ingest_prices",
        "--partition",
        partition,
        "--json",
      );
      expect(result.code).toBe(2);
      const doc = JSON.parse(result.stdout);
      expect(doc.error).toBe("PartitionInFuture");
      expect(doc.message).toContain(`partition ${partition} is dated ${partition.slice(0, 10)}`);
      expect(doc.message).toContain("America/New_York");
    }
    for (const table of [
      "core_manifest",
      "core_anomalies",
      "core_data_readiness",
      "core_quarantine",
    ]) {
      const [row] = await query(db.url, `SELECT count(*) AS n FROM ${table}`);
      expect([table, Number(row?.n)]).toEqual([table, 0]);
    }
  });

  it("workflow run refuses a future week ending with exit 2", async () => {
    const result = await dataspine(
      db.url,
      "workflow",
      "run",
      "finra.weekly_refresh",
      "--param",
      `week_ending=${futureFriday}`,
      "--param",
      "tier=OTCE",
      "--json",
    );
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: "PartitionInFuture" });
    const [runs] = await query(db.url, "SELECT count(*) AS n FROM core_workflow_runs");
    expect(Number(runs?.n)).toBe(0);
  });

  it("backfill refuses a range that ends after today with exit 2 before running anything", async () => {
    const today = newYorkDate(Date.now());
    const result = await dataspine(
      db.url,
      "backfill",
      "market_data.ingest_prices",
      "--start",
      addDays(today, -2),
      "--end",
      ahead,
      "--param",
      "universe=demo",
      "--json",
    );
    expect(result.code).toBe(2);
    const doc = JSON.parse(result.stdout);
    expect(doc.error).toBe("InvalidBackfillRange");
    expect(doc.message).toMatch(
      new RegExp(`^end ${ahead} is after today \\(\\d{4}-\\d{2}-\\d{2}, America/New_York\\)`),
    );
    const [row] = await query(db.url, "SELECT count(*) AS n FROM core_manifest");
    expect(Number(row?.n)).toBe(0);
  });
});

describe("the partition's date against New York's today", () => {
  it("reads the leading ISO date of a key, if any", () => {
    expect(partitionDate("2025-01-02|demo")).toBe("2025-01-02");
    expect(partitionDate("2025-01-02")).toBe("2025-01-02");
    expect(partitionDate("2025-02-30|demo")).toBeUndefined();
    expect(partitionDate("file:2099-01-01.csv")).toBeUndefined();
  });

  effectIt.effect("late evening in New York is still the same day there", () =>
    Effect.gen(function* () {
      // 03:00 UTC on 3 January is 22:00 on 2 January in New York.
      yield* TestClock.setTime(Date.parse("2025-01-03T03:00:00Z"));
      const today = yield* Effect.exit(refuseFuturePartition("p.q", "2025-01-02|demo"));
      const tomorrow = yield* Effect.exit(refuseFuturePartition("p.q", "2025-01-03|demo"));
      const undated = yield* Effect.exit(refuseFuturePartition("p.q", "file:x.csv"));
      expect(Exit.isSuccess(today)).toBe(true);
      expect(Exit.isSuccess(undated)).toBe(true);
      if (Exit.isSuccess(tomorrow)) throw new Error("expected PartitionInFuture");
      expect(Cause.squash(tomorrow.cause)).toMatchObject({
        _tag: "PartitionInFuture",
        date: "2025-01-03",
        today: "2025-01-02",
      });
    }),
  );
});
