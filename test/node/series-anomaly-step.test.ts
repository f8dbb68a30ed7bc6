/**
 * A pipeline applying SERIES_ANOMALY to a numeric column of its own rows, through the same
 * detection step every table uses, into a real libSQL file: the anomaly is stored once with
 * its rule and context, resolved when gone, and a bad config never halts the run.
 */
import { Effect, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectionStep, recordDetections } from "../../src/detectors/record";
import { seriesAnomalyDetector } from "../../src/detectors/series-anomaly";
import { iso } from "../../src/detectors/types";
import { nodePipelineLayer } from "../../src/node/runtime";
import { noisySeries } from "../fixtures/detection";
import { testContext } from "../fixtures/sources";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

const layer = () => nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None });

/** Rows of a pipeline's own shape: a host's CPU readings, 5 minutes apart. */
const readings = (spikeAt?: number) =>
  noisySeries(2000, 40, 0.05).map((p, i) => ({
    host: "web-1",
    at: p.atMs,
    cpu: i === spikeAt ? 97 : p.value,
  }));

/** The step a pipeline writes: its `cpu` column as SERIES_ANOMALY points, then record. */
const step = (partition: string, rows: ReturnType<typeof readings>, config?: object) => {
  const ctx = testContext("ops_metrics", partition);
  return detectionStep(
    ctx,
    Effect.gen(function* () {
      const found = yield* seriesAnomalyDetector.detect(
        { series: "web-1 cpu", points: rows.map((r) => ({ atMs: r.at, value: r.cpu })) },
        config,
      );
      return yield* recordDetections(ctx, found, {
        SERIES_ANOMALY: rows.map((r) => `web-1 cpu|${iso(r.at)}`),
      });
    }),
  ).pipe(Effect.provide(layer()));
};

const open = (partition: string, rule: string) =>
  query(
    db.url,
    "SELECT rule, category, severity, message, metadata FROM core_anomalies WHERE partition_key = ? AND rule = ? AND resolved_at IS NULL",
    [partition, rule],
  );

describe("SERIES_ANOMALY applied by a pipeline to a numeric column", { timeout: 60_000 }, () => {
  it("stores the spike once with its context, and resolves it when the data is fixed", async () => {
    const spiked = readings(1500);
    const first = await Effect.runPromise(step("2025-06-10|web", spiked));
    expect(first.by_rule).toMatchObject({ SERIES_ANOMALY: expect.any(Number) });
    const rows = await open("2025-06-10|web", "SERIES_ANOMALY");
    const spike = rows.find((r) => String(r.message).startsWith("Series anomaly: web-1 cpu 97 "));
    expect(spike).toMatchObject({ category: "DATA_QUALITY" });
    expect(JSON.parse(String(spike?.metadata))).toMatchObject({
      key: `web-1 cpu|${iso(spiked[1500]?.at ?? 0)}`,
      context: { expert: "range", value: 97 },
    });
    // The same run again: the same rows, not new ones.
    await Effect.runPromise(step("2025-06-10|web", spiked));
    expect(await open("2025-06-10|web", "SERIES_ANOMALY")).toHaveLength(rows.length);
    // The corrected readings: the spike's anomaly is resolved.
    await Effect.runPromise(step("2025-06-10|web", readings()));
    const after = await open("2025-06-10|web", "SERIES_ANOMALY");
    expect(after.some((r) => String(r.message).includes(" 97 "))).toBe(false);
  });

  it("turns a bad config into a DETECTOR_ERROR anomaly and lets the run go on", async () => {
    const summary = await Effect.runPromise(step("2025-06-11|web", readings(), { bins: 1 }));
    expect(summary.error).toMatch(/InvalidDetectorConfig/);
    const [error] = await open("2025-06-11|web", "DETECTOR_ERROR");
    expect(String(error?.message)).toMatch(/SERIES_ANOMALY config bins/);
  });
});
