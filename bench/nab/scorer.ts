/**
 * The NAB scorer (Numenta Anomaly Benchmark, `../shared/nab/SCORING.md`): per-row weights
 * from the label windows, one corpus-wide threshold per cost profile chosen to maximise the
 * raw score, and the normalized score `100 · (raw − null) / (perfect − null)`.
 *
 * Pure: the caller reads the files (`corpus.ts`) and hands over timestamps (ms), scores and
 * window limits (ms).
 */

/** Weights of one cost profile (`config/profiles.json`). */
export interface CostProfile {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

export const PROFILES = {
  standard: { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  reward_low_FP_rate: { tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  reward_low_FN_rate: { tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
} as const satisfies Record<string, CostProfile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ReadonlyArray<ProfileName>;

/** One data file with a detector's scores: `timestamps[i]` and `scores[i]` per row. */
export interface ScoredFile {
  readonly name: string;
  readonly timestamps: ReadonlyArray<number>;
  readonly scores: ReadonlyArray<number>;
  /** Label windows `[start, end]` (inclusive, timestamps present in the file), ascending. */
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

/** `2/(1+e^(5x)) − 1`, and −1 past 3 window widths. */
export const scaledSigmoid = (x: number): number => (x > 3 ? -1 : 2 / (1 + Math.exp(5 * x)) - 1);

/** Rows of a file not scored while the detector learns: `min(⌊0.15·n⌋, 0.15·5000)`. */
export const probationRows = (n: number): number => Math.min(Math.floor(0.15 * n), 0.15 * 5000);

/**
 * One scorable row: its score, its weight if detected (already multiplied by the profile's
 * TP or FP weight), and the window it lies in (−1 outside any window).
 */
interface Point {
  readonly score: number;
  readonly weight: number;
  readonly window: number;
}

/**
 * The weighted rows of one file after probation. `windowBase` numbers the file's windows
 * corpus-wide; returns the points and how many windows the file contributes.
 */
const sweepFile = (file: ScoredFile, profile: CostProfile, windowBase: number) => {
  const { timestamps, scores } = file;
  const n = timestamps.length;
  if (scores.length !== n) throw new Error(`${file.name}: ${scores.length} scores for ${n} rows`);
  const indexOf = new Map<number, number>();
  timestamps.forEach((t, i) => {
    if (!indexOf.has(t)) indexOf.set(t, i);
  });
  const maxTp = scaledSigmoid(-1);
  const probation = probationRows(n);
  const points: Array<Point> = [];
  const seenWindows = new Set<number>();
  let next = 0;
  let current: { id: number; right: number; width: number; end: number } | undefined;
  let previous: { right: number; width: number } | undefined;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    const pending = file.windows[next];
    if (current === undefined && pending !== undefined && t === pending[0]) {
      const left = indexOf.get(pending[0]);
      const right = indexOf.get(pending[1]);
      if (left === undefined || right === undefined) {
        throw new Error(`${file.name}: window ${pending.join("..")} is not on row timestamps`);
      }
      current = { id: windowBase + next, right, width: right - left + 1, end: pending[1] };
      next += 1;
    }
    let weight: number;
    if (current !== undefined) {
      weight = (scaledSigmoid(-(current.right - i + 1) / current.width) * profile.tpWeight) / maxTp;
    } else if (previous === undefined) {
      weight = -profile.fpWeight;
    } else {
      weight =
        scaledSigmoid(Math.abs(previous.right - i) / (previous.width - 1)) * profile.fpWeight;
    }
    if (i >= probation) {
      const window = current?.id ?? -1;
      if (window >= 0) seenWindows.add(window);
      points.push({ score: scores[i]!, weight, window });
    }
    if (current !== undefined && t === current.end) {
      previous = { right: current.right, width: current.width };
      current = undefined;
    }
  }
  if (next !== file.windows.length) {
    throw new Error(`${file.name}: window starting ${file.windows[next]?.[0]} never entered`);
  }
  return { points, windows: seenWindows };
};

/** The corpus raw score at a threshold, with the counts behind it. */
export interface ThresholdScore {
  readonly threshold: number;
  readonly raw: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
}

/**
 * Sweeps every distinct score (highest first) over the whole corpus and returns the
 * threshold with the highest raw score (the highest such threshold on ties).
 */
export const optimizeThreshold = (
  files: ReadonlyArray<ScoredFile>,
  profile: CostProfile,
): ThresholdScore => {
  const all: Array<Point> = [];
  const windows = new Set<number>();
  let base = 0;
  for (const file of files) {
    const swept = sweepFile(file, profile, base);
    base += file.windows.length;
    for (const p of swept.points) all.push(p);
    for (const w of swept.windows) windows.add(w);
  }
  all.sort((a, b) => b.score - a.score);
  const best = new Map<number, number>();
  let fpSum = 0;
  let fp = 0;
  let tpSum = 0;
  let fn = windows.size;
  let top: ThresholdScore = {
    threshold: 1.1,
    raw: -profile.fnWeight * fn,
    tp: 0,
    fp: 0,
    fn,
  };
  for (let i = 0; i < all.length; ) {
    const threshold = all[i]!.score;
    for (; i < all.length && all[i]!.score === threshold; i++) {
      const p = all[i]!;
      if (p.window < 0) {
        fpSum += p.weight;
        fp += 1;
        continue;
      }
      const had = best.get(p.window);
      if (had === undefined) {
        best.set(p.window, p.weight);
        tpSum += p.weight;
        fn -= 1;
      } else if (p.weight > had) {
        best.set(p.window, p.weight);
        tpSum += p.weight - had;
      }
    }
    const raw = tpSum + fpSum - profile.fnWeight * fn;
    if (raw > top.raw) top = { threshold, raw, tp: best.size, fp, fn };
  }
  return top;
};

/** The normalized score of a raw corpus score. */
export const normalize = (raw: number, windowCount: number, profile: CostProfile): number => {
  const nullScore = -profile.fnWeight * windowCount;
  const perfect = profile.tpWeight * windowCount;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
};

/** A detector's NAB result under one profile. */
export interface ProfileResult extends ThresholdScore {
  readonly normalized: number;
}

/** Scores a whole corpus under every profile. */
export const scoreCorpus = (
  files: ReadonlyArray<ScoredFile>,
): Readonly<Record<ProfileName, ProfileResult>> => {
  const windowCount = files.reduce((n, f) => n + f.windows.length, 0);
  const result = {} as Record<ProfileName, ProfileResult>;
  for (const name of PROFILE_NAMES) {
    const profile = PROFILES[name];
    const best = optimizeThreshold(files, profile);
    result[name] = { ...best, normalized: normalize(best.raw, windowCount, profile) };
  }
  return result;
};
