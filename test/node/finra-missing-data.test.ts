/**
 * MissingData for FINRA's weekly files over the `core_expected_schedules` row of migration
 * 0014 (Tuesdays by 03:00 New York): each delivery expects every tier's latest published
 * week (NMS Tier 1 two weeks back, Tier 2 and OTCE four), against a real libSQL file and the
 * demo feed's sample weeks.
 */
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appConfigFromVars } from "../../src/core/config/app-config";
import { runPipeline } from "../../src/core/pipeline/runner";
import { checkMissingData } from "../../src/detectors/missing-data-check";
import { PIPELINES } from "../../src/domains/registry";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const INGEST = "finra.otc_transparency.ingest_week";

let db: TempDb;
let feed: DemoFeedServer;

const layer = () =>
  nodePipelineLayer({
    db: { url: db.url },
    vars: { MARKET_DATA_BASE_URL: feed.url },
    logLevel: LogLevel.None,
  });

const ingest = async (partition: string) => {
  const exit = await Effect.runPromiseExit(
    runPipeline(PIPELINES, { pipeline: INGEST, partition, trigger: "cli" }).pipe(
      Effect.provide(layer()),
    ),
  );
  if (Exit.isFailure(exit)) throw new Error(`run failed: ${exit.cause.toString()}`);
  expect([partition, exit.value.status]).toEqual([partition, "complete"]);
};

/** The FINRA partitions the check finds missing at `nowIso`. */
const missingAt = async (nowIso: string) => {
  const report = await Effect.runPromise(
    checkMissingData(PIPELINES.list(), appConfigFromVars({}).sources, Date.parse(nowIso)).pipe(
      Effect.provide(layer()),
    ),
  );
  return report.missing
    .filter((m) => m.pipeline === INGEST)
    .map((m) => m.partition)
    .sort();
};

const anomalyOf = async (partition: string) =>
  (
    await query(
      db.url,
      "SELECT severity, category, pipeline, message, resolved_at FROM core_anomalies WHERE rule = 'MISSING_DATA' AND partition_key = ?",
      [partition],
    )
  )[0];

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
}, 60_000);

afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

describe("FINRA OTC weekly MissingData", { timeout: 60_000 }, () => {
  it("the migration adds FINRA's weekly row next to the daily ones", async () => {
    // Any run migrates the database.
    await ingest("2025-01-17|NMS_TIER_2");
    const rows = await query(
      db.url,
      "SELECT domain, stage, expected_day_of_week AS dow, expected_time AS at, tolerance_hours AS tol FROM core_expected_schedules ORDER BY domain",
    );
    expect(rows.map((r) => ({ ...r }))).toEqual([
      { domain: "finra.otc_transparency", stage: "INGEST", dow: 1, at: "03:00", tol: 1 },
      { domain: "market_data", stage: "INGEST", dow: null, at: "17:00", tol: 1 },
      { domain: "trade_data", stage: "INGEST", dow: null, at: "18:00", tol: 1 },
    ]);
  });

  it("expects each tier's latest published week per Tuesday, reports the one never ingested, then resolves it", async () => {
    // Tuesday 18 Feb brings Tier 1's week of 31 Jan and Tier 2's / OTCE's of 17 Jan; Tuesday
    // 25 Feb brings 7 Feb and 24 Jan. Both are overdue on Wednesday 5 March (the next
    // Tuesday's 03:00 + 1 h has passed); OTCE's week of 24 January never came.
    for (const partition of [
      "2025-01-31|NMS_TIER_1",
      "2025-01-17|OTCE",
      "2025-02-07|NMS_TIER_1",
      "2025-01-24|NMS_TIER_2",
    ]) {
      await ingest(partition);
    }
    // One minute before 25 Feb's deadline only the delivery of 11 Feb (weeks 24 Jan and 10 Jan,
    // never ingested here) is overdue; it leaves the three-week view by 5 March.
    expect(await missingAt("2025-03-04T08:59:00Z")).toEqual([
      "2025-01-10|NMS_TIER_2",
      "2025-01-10|OTCE",
      "2025-01-24|NMS_TIER_1",
    ]);
    expect(await missingAt("2025-03-05T12:00:00Z")).toEqual(["2025-01-24|OTCE"]);
    expect(await anomalyOf("2025-01-24|OTCE")).toMatchObject({
      severity: "LOW",
      category: "DATA_QUALITY",
      pipeline: INGEST,
      message:
        "Missing data: expected finra.otc_transparency.INGEST 2025-01-24|OTCE by 2025-02-25T08:00:00.000Z, none received",
      resolved_at: null,
    });
    // Ten days on it is still in view, and more than two weeks late: HIGH.
    expect(await missingAt("2025-03-12T12:00:00Z")).toContain("2025-01-24|OTCE");
    expect(await anomalyOf("2025-01-24|OTCE")).toMatchObject({ severity: "HIGH" });

    await ingest("2025-01-24|OTCE");
    expect(await missingAt("2025-03-12T12:30:00Z")).not.toContain("2025-01-24|OTCE");
    expect((await anomalyOf("2025-01-24|OTCE"))?.resolved_at).not.toBeNull();
  });
});
