/**
 * A pipeline applying SERIES_ANOMALY to a numeric column of its own rows, through the same
 * detection step every table uses, on the in-memory stores: the anomaly is stored once with
 * its rule and context, resolved when gone, and a bad config never halts the run.
 */
import { describe, it } from "@effect/vitest";
import { Effect } from "effect";
import { expect } from "vitest";
import { StoreMemory } from "../../src/core/store/memory";
import { detectionStep, recordDetections } from "../../src/detectors/record";
import { seriesAnomalyDetector } from "../../src/detectors/series-anomaly";
import { iso } from "../../src/detectors/types";
import { noisySeries } from "../fixtures/detection";
import { logicLayer } from "../fixtures/memory-pipelines";
import { testContext } from "../fixtures/run-context";

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
  );
};

/** The open anomalies of a partition under `rule`, as stored. */
const open = (partition: string, rule: string) =>
  Effect.map(StoreMemory, (memory) =>
    [...memory.anomalies.values()].filter(
      (a) => a.partitionKey === partition && a.rule === rule && a.resolvedAt === null,
    ),
  );

describe("SERIES_ANOMALY applied by a pipeline to a numeric column", () => {
  it.effect("stores the spike once with its context, and resolves it when the data is fixed", () =>
    Effect.gen(function* () {
      const spiked = readings(1500);
      const first = yield* step("2025-06-10|web", spiked);
      expect(first.by_rule).toMatchObject({ SERIES_ANOMALY: expect.any(Number) });
      const rows = yield* open("2025-06-10|web", "SERIES_ANOMALY");
      const spike = rows.find((r) => r.message.startsWith("Series anomaly: web-1 cpu 97 "));
      expect(spike).toMatchObject({ category: "DATA_QUALITY" });
      expect(JSON.parse(String(spike?.metadata))).toMatchObject({
        key: `web-1 cpu|${iso(spiked[1500]?.at ?? 0)}`,
        context: { expert: "range", value: 97 },
      });
      // The same run again: the same rows, not new ones.
      yield* step("2025-06-10|web", spiked);
      expect(yield* open("2025-06-10|web", "SERIES_ANOMALY")).toHaveLength(rows.length);
      // The corrected readings: the spike's anomaly is resolved.
      yield* step("2025-06-10|web", readings());
      const after = yield* open("2025-06-10|web", "SERIES_ANOMALY");
      expect(after.some((r) => r.message.includes(" 97 "))).toBe(false);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("turns a bad config into a DETECTOR_ERROR anomaly and lets the run go on", () =>
    Effect.gen(function* () {
      const summary = yield* step("2025-06-11|web", readings(), { bins: 1 });
      expect(summary.error).toMatch(/InvalidDetectorConfig/);
      const [error] = yield* open("2025-06-11|web", "DETECTOR_ERROR");
      expect(error?.message).toMatch(/SERIES_ANOMALY config bins/);
    }).pipe(Effect.provide(logicLayer())),
  );
});
