import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCorpus, loadResultScores, nabAvailable, nabDir } from "../../bench/nab/corpus";
import {
  normalize,
  optimizeThreshold,
  PROFILES,
  probationRows,
  type ScoredFile,
  scaledSigmoid,
  scoreCorpus,
} from "../../bench/nab/scorer";
import { seriesAnomalyScores } from "../../bench/nab/series-anomaly-scores";

const MINUTE = 60_000;

/** 1,000 rows a minute apart with one window over rows 600..699. */
const synthetic = (scores: (i: number) => number): ScoredFile => {
  const timestamps = Array.from({ length: 1000 }, (_, i) => i * MINUTE);
  return {
    name: "synthetic.csv",
    timestamps,
    scores: timestamps.map((_, i) => scores(i)),
    windows: [[600 * MINUTE, 699 * MINUTE]],
  };
};

describe("NAB scorer, on synthetic files", () => {
  it("uses NAB's scaled sigmoid and probation", () => {
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationRows(1000)).toBe(150);
    expect(probationRows(100_000)).toBe(750);
  });

  it("scores a null detector at 0 and a detection at a window's left edge near 100", () => {
    const standard = PROFILES.standard;
    const none = optimizeThreshold([synthetic(() => 0)], standard);
    expect(normalize(none.raw, 1, standard)).toBe(0);
    const edge = optimizeThreshold([synthetic((i) => (i === 600 ? 1 : 0))], standard);
    expect(edge).toMatchObject({ threshold: 1, tp: 1, fp: 0, fn: 0 });
    expect(normalize(edge.raw, 1, standard)).toBeCloseTo(100, 6);
  });

  it("pays less for a late detection and charges false positives by distance past a window", () => {
    const late = optimizeThreshold([synthetic((i) => (i === 690 ? 1 : 0))], PROFILES.standard);
    expect(late.raw).toBeGreaterThan(0);
    expect(late.raw).toBeLessThan(0.3);
    // Before any window an FP costs the full fpWeight; it wins only if the TP pays for it.
    const withFp = optimizeThreshold(
      [synthetic((i) => (i === 300 ? 0.9 : i === 600 ? 0.8 : 0))],
      PROFILES.standard,
    );
    expect(withFp).toMatchObject({ threshold: 0.8, tp: 1, fp: 1 });
    expect(withFp.raw).toBeCloseTo(1 - 0.11, 6);
    // Right after a window an FP costs almost nothing (sigmoid near 0).
    const after = optimizeThreshold(
      [synthetic((i) => (i === 600 || i === 700 ? 1 : 0))],
      PROFILES.standard,
    );
    expect(after.raw).toBeLessThan(1);
    expect(after.raw).toBeGreaterThan(0.99);
  });

  it("ignores rows in probation", () => {
    const early = optimizeThreshold([synthetic((i) => (i < 150 ? 1 : 0))], PROFILES.standard);
    expect(early).toMatchObject({ tp: 0, fp: 0, fn: 1 });
  });
});

describe("NAB scorer, on the published windowedGaussian results", () => {
  it("reproduces the published normalized scores within ±0.1", () => {
    const dir = nabDir();
    expect(nabAvailable(dir), `NAB corpus not found at ${dir} (set NAB_DIR)`).toBe(true);
    const corpus = loadCorpus(dir);
    expect(corpus).toHaveLength(58);
    expect(corpus.reduce((n, f) => n + f.windows.length, 0)).toBe(116);
    const results = join(dir, "results", "windowedGaussian");
    const scored = scoreCorpus(
      corpus.map((f) => ({ ...f, scores: loadResultScores(results, "windowedGaussian", f) })),
    );
    expect(Math.abs(scored.standard.normalized - 39.6)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(scored.reward_low_FP_rate.normalized - 20.9)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(scored.reward_low_FN_rate.normalized - 47.4)).toBeLessThanOrEqual(0.1);
    // The raw total matches NAB's own results table (Totals row of the standard profile).
    expect(scored.standard.raw).toBeCloseTo(-24.0131054891, 6);
  });
});

describe("SeriesAnomaly on NAB, its registered defaults for all 58 files", () => {
  it("scores above Skyline's 58.2 (standard), with low-FP and low-FN beside it", () => {
    const dir = nabDir();
    expect(nabAvailable(dir), `NAB corpus not found at ${dir} (set NAB_DIR)`).toBe(true);
    const corpus = loadCorpus(dir);
    const scored = scoreCorpus(
      corpus.map((f) => ({ ...f, scores: seriesAnomalyScores(f.values) })),
    );
    expect(scored.standard.normalized).toBeGreaterThanOrEqual(60);
    expect(scored.reward_low_FP_rate.normalized).toBeGreaterThanOrEqual(50);
    expect(scored.reward_low_FN_rate.normalized).toBeGreaterThanOrEqual(65);
    // The windows it finds cost fewer false positives than VolumeShift's 318.
    expect(scored.standard.tp).toBeGreaterThanOrEqual(90);
    expect(scored.standard.fp).toBeLessThan(318);
  });
});
