import { Cause, Effect, Either, Exit } from "effect";
import { describe, expect, it } from "vitest";
import { CountTable } from "../../src/detectors/count-table";
import { InvalidDetectorConfig } from "../../src/detectors/errors";
import { DETECTORS } from "../../src/detectors/registry";
import {
  SERIES_ANOMALY_DEFAULTS,
  type SeriesPoint,
  scoreSeries,
  seriesAnomalyConfig,
  seriesAnomalyDetector,
} from "../../src/detectors/series-anomaly";
import { SeriesAnomalyModel } from "../../src/detectors/series-anomaly-model";
import { volumeShiftDetector } from "../../src/detectors/volume-shift";
import { demoUniverseVolumes, noisySeries } from "../fixtures/detection";
import { aaplBars } from "../fixtures/real-bars";

const MINUTE = 60_000;

/** A deterministic uniform generator in (0, 1). */
const uniform = (seed: number) => {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4_294_967_296;
  };
};

/**
 * A square wave of period 48 between 10 and 50 with noise in [0, 2), 5 minutes apart; with
 * `flatFrom`, one period from there holds 30 (inside the range the series always had).
 */
const squareWave = (n: number, flatFrom?: number): Array<SeriesPoint> => {
  const noise = uniform(3);
  return Array.from({ length: n }, (_, i) => {
    const flat = flatFrom !== undefined && i >= flatFrom && i < flatFrom + 48;
    const level = flat ? 30 : i % 48 < 24 ? 10 : 50;
    return { atMs: Date.UTC(2025, 0, 1) + i * 5 * MINUTE, value: level + 2 * noise() };
  });
};

const detect = (points: ReadonlyArray<SeriesPoint>, config?: Record<string, unknown>) =>
  Effect.runSync(seriesAnomalyDetector.detect({ series: "cpu", points }, config));

const indexOf = (points: ReadonlyArray<SeriesPoint>, observedAt: string) =>
  points.findIndex((p) => p.atMs === Date.parse(observedAt));

describe("SeriesAnomaly", () => {
  it("is registered in DETECTORS with its defaults", () => {
    expect(DETECTORS.get("SERIES_ANOMALY")).toBe(seriesAnomalyDetector);
    expect(seriesAnomalyDetector.defaults).toEqual(SERIES_ANOMALY_DEFAULTS);
  });

  it("stays silent on a clean square wave and finds a flat period inside its range (context)", () => {
    expect(detect(squareWave(3000))).toEqual([]);
    const points = squareWave(3000, 2000);
    const found = detect(points);
    expect(found).toHaveLength(1);
    const [flat] = found;
    const at = indexOf(points, flat?.observedAt ?? "");
    expect(at).toBeGreaterThanOrEqual(2000);
    expect(at).toBeLessThan(2048);
    expect(flat).toMatchObject({
      rule: "SERIES_ANOMALY",
      key: `cpu|${flat?.observedAt}`,
      context: { expert: "context", range_strength: 0 },
    });
    expect(flat?.message).toMatch(/^Series anomaly: cpu 3[01]\.\d+ breaks the pattern/);
  });

  it("finds a spike outside the range at the spike, graded by how far out it is", () => {
    const clean = noisySeries(5000, 1000, 0.1);
    const before = detect(clean);
    // Noise alone: a handful of barely-new extremes in 5,000 points, all LOW.
    expect(before.length).toBeLessThanOrEqual(5);
    expect(before.every((d) => d.severity === "LOW")).toBe(true);
    const spiked = clean.map((p, i) => (i === 3000 ? { ...p, value: p.value * 3 } : p));
    const found = detect(spiked);
    const spike = found.find((d) => indexOf(spiked, d.observedAt) === 3000);
    expect(spike).toMatchObject({ severity: "HIGH", context: { expert: "range" } });
    expect(spike?.message).toMatch(/outside its range [\d,.]+ … [\d,.]+ \(score 0\.\d{3}\)$/);
    // The spike widens the range, so later barely-new extremes of the noise no longer alert.
    expect(found.length).toBeLessThanOrEqual(before.length + 1);
  });

  it("scores online: a point's score never depends on later points, and runs repeat exactly", () => {
    const values = squareWave(2500, 1800).map((p) => p.value);
    const all = scoreSeries(values);
    for (const cut of [149, 150, 700, 1801, 2100]) {
      expect(scoreSeries(values.slice(0, cut))).toEqual(all.subarray(0, cut));
    }
    expect(scoreSeries(values)).toEqual(all);
    // Nothing scores during the warm-up.
    expect(all.subarray(0, SERIES_ANOMALY_DEFAULTS.warmup).every((s) => s === 0)).toBe(true);
  });

  it("keeps its memory bounded on a series that never repeats a context", () => {
    const next = uniform(11);
    const model = new SeriesAnomalyModel({ ...SERIES_ANOMALY_DEFAULTS, bins: 50, order: 3 });
    let most = 0;
    for (let i = 0; i < 60_000; i++) {
      model.update(next() * 100);
      most = Math.max(most, model.contextKeys);
    }
    expect(most).toBeGreaterThan(SERIES_ANOMALY_DEFAULTS.tableSize / 2);
    // Aged when 3/4 full, before a step adds at most one key per order.
    expect(most).toBeLessThanOrEqual((SERIES_ANOMALY_DEFAULTS.tableSize * 3) / 4 + 3 + 1);
  });

  it("skips values that are not finite and alerts only from fromMs, once per cooldown", () => {
    const points = noisySeries(1200, 1000, 0.05).map((p, i) =>
      i === 500
        ? { ...p, value: Number.NaN }
        : i >= 900
          ? { ...p, value: 1000 * 1.05 ** (i - 899) }
          : p,
    );
    const ramp = detect(points);
    // A ramp of new highs: one alert per cooldown (10 points), not one per point.
    const onRamp = ramp.filter((d) => indexOf(points, d.observedAt) >= 900);
    expect(onRamp.length).toBeGreaterThan(5);
    expect(onRamp.length).toBeLessThanOrEqual(Math.ceil(300 / 11));
    const late = Effect.runSync(
      seriesAnomalyDetector.detect({
        series: "cpu",
        points,
        fromMs: points[1000]?.atMs ?? 0,
      }),
    );
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((d) => indexOf(points, d.observedAt) >= 1000)).toBe(true);
    expect(detect(points, { cooldown: 0 }).length).toBeGreaterThan(250);
  });

  it("stays under 1% of the clean demo-universe volumes (the clean-fixture false-positive rate)", () => {
    let observations = 0;
    let alerts = 0;
    let volumeShifts = 0;
    for (const input of demoUniverseVolumes("2024-01-02", "2025-07-31")) {
      observations += input.points.length;
      alerts += Effect.runSync(seriesAnomalyDetector.detect(input)).length;
      volumeShifts += Effect.runSync(volumeShiftDetector.detect(input)).length;
    }
    expect(observations).toBeGreaterThan(7000);
    expect(alerts / observations).toBeLessThan(0.01);
    // Quieter than VolumeShift on the same clean volumes (docs/detection.md: 20 vs 70).
    expect(alerts).toBeLessThan(volumeShifts);
  });

  it("daily volumes: misses the 2015-08-24 AAPL event VolumeShift finds, so VolumeShift stays their default", () => {
    const points = aaplBars("2015-02-17", "2017-02-16").map((b) => ({
      atMs: Date.parse(`${b.date}T04:00:00Z`),
      value: b.volume,
    }));
    const on = (found: ReadonlyArray<{ observedAt: string }>) =>
      found.some((d) => d.observedAt.startsWith("2015-08-24"));
    const shifts = Effect.runSync(volumeShiftDetector.detect({ series: "AAPL", points }));
    const scored = detect(points);
    expect(on(shifts)).toBe(true);
    expect(on(scored)).toBe(false);
    expect(scored.length).toBeLessThan(shifts.length);
  });

  it("rejects a bad config with InvalidDetectorConfig naming the field", () => {
    const failure = (config: Record<string, unknown>) => {
      const exit = Effect.runSyncExit(
        seriesAnomalyDetector.detect({ series: "cpu", points: squareWave(10) }, config),
      );
      if (!Exit.isFailure(exit)) throw new Error("expected a failure");
      const error = Cause.failureOption(exit.cause);
      if (error._tag === "None") throw new Error("expected a typed failure");
      expect(error.value).toBeInstanceOf(InvalidDetectorConfig);
      return error.value;
    };
    expect(failure({ bins: 1 })).toMatchObject({ detector: "SERIES_ANOMALY", field: "bins" });
    expect(failure({ threshold: 1 }).message).toMatch(/^SERIES_ANOMALY config threshold: /);
    expect(failure({ tableSize: 1000 }).message).toMatch(/must be a power of two/);
    expect(failure({ threshhold: 0.6 })).toMatchObject({ field: "threshhold" });
    expect(failure({ warmup: "150" })).toMatchObject({ field: "warmup" });
    const merged = seriesAnomalyConfig({ threshold: 0.6 });
    expect(Either.getOrThrow(merged)).toEqual({ ...SERIES_ANOMALY_DEFAULTS, threshold: 0.6 });
  });
});

describe("CountTable", () => {
  it("counts by key, ages by halving and dropping zeros, and refuses to overflow", () => {
    const table = new CountTable(16);
    for (let k = 0; k < 12; k++) table.add(k * 2 ** 40 + 7, k + 1);
    expect(table.full).toBe(true);
    expect(table.get(3 * 2 ** 40 + 7)).toBe(4);
    expect(table.get(3 * 2 ** 40 + 8)).toBe(0);
    table.age();
    expect(table.size).toBe(11);
    expect(table.get(0 * 2 ** 40 + 7)).toBe(0);
    expect(table.get(11 * 2 ** 40 + 7)).toBe(6);
    for (let k = 100; k < 104; k++) table.add(k);
    expect(() => table.add(999)).toThrow(/overflow/);
    expect(() => new CountTable(100)).toThrow(/power of two/);
  });
});
