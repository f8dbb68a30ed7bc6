/**
 * `executeBackfill` in-process: plan order, bounded concurrency, failures recorded while the
 * rest complete, and the same range twice giving the same results.
 */
import { Effect, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BackfillPartitionResult,
  executeBackfill,
  newBackfillId,
  planBackfill,
} from "../../src/core/backfill/backfill";
import { PIPELINES } from "../../src/domains/registry";
import { nodePipelineLayer } from "../../src/node/runtime";
import { type ScriptedFeed, startScriptedFeed } from "../fixtures/scripted-feed";
import { makeTempDb, query as queryDb, type TempDb } from "../fixtures/temp-db";

const PIPELINE = "market_data.ingest_prices";
const BROKEN_DATE = "2025-01-08";

let db: TempDb;
let feed: ScriptedFeed;

beforeAll(async () => {
  db = await makeTempDb();
  // Every symbol of one date answers 404: a permanent failure of that partition only.
  feed = await startScriptedFeed((path) =>
    path.endsWith(`/${BROKEN_DATE}/${BROKEN_DATE}`)
      ? { status: 404, body: '{"status":"NOT_FOUND"}' }
      : undefined,
  );
});

afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const backfill = (start: string, end: string, concurrency: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const plan = yield* planBackfill(PIPELINES, {
        pipeline: PIPELINE,
        start,
        end,
        params: { universe: "demo" },
      });
      const settled: Array<number> = [];
      const report = yield* executeBackfill(PIPELINES, plan, {
        backfillId: newBackfillId(new Date()),
        concurrency,
        onSettled: (_result: BackfillPartitionResult, n: number) =>
          Effect.sync(() => settled.push(n)),
      });
      return { plan, report, settled };
    }).pipe(
      Effect.provide(
        nodePipelineLayer({
          db: { url: db.url },
          vars: { MARKET_DATA_BASE_URL: feed.url, RETRY_BASE_DELAY_MS: "5" },
          logLevel: LogLevel.None,
        }),
      ),
    ),
  );

const query = (sql: string, args: Array<string | number> = []) => queryDb(db.url, sql, args);

describe("executeBackfill", () => {
  it("records a failed partition and completes the rest, in plan order", async () => {
    const { plan, report, settled } = await backfill("2025-01-06", "2025-01-12", 3);
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

    // Every run of the backfill carries its id as the batch id.
    const batches = await query(
      "SELECT DISTINCT batch_id FROM market_prices WHERE trading_date BETWEEN ? AND ?",
      ["2025-01-06", "2025-01-12"],
    );
    expect(batches).toEqual([expect.objectContaining({ batch_id: report.backfill_id })]);
  });

  it("the same range again gives the same results and the same data", async () => {
    const snapshot = () =>
      query(
        "SELECT symbol, trading_date, open, high, low, close, volume FROM market_prices " +
          "WHERE trading_date BETWEEN '2025-01-13' AND '2025-01-24' ORDER BY trading_date, symbol",
      );
    const first = await backfill("2025-01-13", "2025-01-24", 4);
    const rows = await snapshot();
    const second = await backfill("2025-01-13", "2025-01-24", 1);
    const strip = (r: BackfillPartitionResult) => ({
      partition: r.partition,
      status: r.status,
      counts: r.counts,
    });
    expect(second.report.partitions.map(strip)).toEqual(first.report.partitions.map(strip));
    // Martin Luther King Jr. Day (20th) and one weekend: no data expected.
    expect(first.report).toMatchObject({ total: 12, complete: 9, no_data_expected: 3 });
    expect(await snapshot()).toEqual(rows);
    expect(rows).toHaveLength(9 * 20);
  });
});
