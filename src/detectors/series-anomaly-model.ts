/**
 * The series anomaly scorer: an online anomaly score in [0, 1) for one univariate numeric
 * series, from two experts whose strengths share one scale (1 = the alert level):
 *
 * - **range**: the value leaves the range the series has held (its lowest and highest values,
 *   relaxing toward the running mean with `rangeHalfLife`); strength `1 + excess / width`.
 * - **context**: the value is surprising after the values before it. Values are quantized
 *   into `bins` bins of a width learned in the warm-up (the grid offset by half a bin; re-based
 *   if the series leaves that scale far behind), and a `ContextModel` prices each bin after
 *   the previous `order` bins.
 *   A CUSUM accumulates the surprise above its running mean by more than `drift` standard
 *   deviations (mean and deviation over about `surpriseMemory` points), so a lasting change
 *   of shape adds up while noise does not; strength `cusum / (evidence · sd)`. After it
 *   reaches 1 the expert rests for `rest` points (one change, one alarm).
 *
 * The score is `x / (1 + x)` of the stronger expert's strength x: 0.5 at the alert level.
 * No score during the `warmup` points (the context expert waits twice as long). Row i uses
 * rows ≤ i only; memory per series is fixed by `tableSize`; the same values give the same
 * scores. A non-finite value scores 0 and is not learned.
 */
import { ContextModel, MAX_BIN } from "./context-model";

export interface SeriesAnomalyModelConfig {
  /** Points before any score; the quantizer's bin width comes from their range. Default 150. */
  readonly warmup: number;
  /** Bins across the warm-up range. Default 10. */
  readonly bins: number;
  /** Bins of context before the predicted one. Default 2. */
  readonly order: number;
  /** Points in the running mean and deviation of surprise. Default 3000. */
  readonly surpriseMemory: number;
  /** CUSUM allowance, in deviations of surprise. Default 1. */
  readonly drift: number;
  /** CUSUM level, in deviations of surprise, that is the alert level. Default 10. */
  readonly evidence: number;
  /** Points the context expert stays silent after reaching the alert level. Default 200. */
  readonly rest: number;
  /** Half-life (points) of the range's pull toward the mean; 0 keeps it for ever. Default 50,000. */
  readonly rangeHalfLife: number;
  /** Slots of each context-count table (a power of two). Default 1024. */
  readonly tableSize: number;
}

export const SERIES_ANOMALY_MODEL_DEFAULTS: SeriesAnomalyModelConfig = {
  warmup: 150,
  bins: 10,
  order: 2,
  surpriseMemory: 3000,
  drift: 1,
  evidence: 10,
  rest: 200,
  rangeHalfLife: 50_000,
  tableSize: 1024,
};

/** Which expert gave the score. */
export type SeriesAnomalyExpert = "range" | "context";

/** The deviation of surprise is floored (digits) so a perfectly regular series can alert. */
const MIN_SURPRISE_SD = 0.1;
/** Points the running mean that the range relaxes toward spans. */
const MEAN_MEMORY = 1000;

/** One series' state. */
export class SeriesAnomalyModel {
  readonly #context: ContextModel;
  readonly #pull: number;
  readonly #reach: number;
  #seen = 0;
  #low = Number.POSITIVE_INFINITY;
  #high = Number.NEGATIVE_INFINITY;
  #envelopeLow = Number.POSITIVE_INFINITY;
  #envelopeHigh = Number.NEGATIVE_INFINITY;
  #mean = 0;
  #base = 0;
  #width = 0;
  #learned = 0;
  #surpriseMean = 0;
  #surpriseVar = 0;
  #cusum = 0;
  #resting = 0;
  /** Strength of each expert at the last point, and its envelope before that point. */
  lastRange = 0;
  lastContext = 0;
  lastLow = Number.NaN;
  lastHigh = Number.NaN;

  constructor(readonly config: SeriesAnomalyModelConfig) {
    this.#context = new ContextModel(config.order, config.tableSize);
    this.#pull = config.rangeHalfLife > 0 ? 1 - 2 ** (-1 / config.rangeHalfLife) : 0;
    // Bins further than this from the learned scale re-base the quantizer.
    this.#reach = Math.min(8 * config.bins, MAX_BIN - config.bins);
  }

  /** Points learned so far. */
  get seen(): number {
    return this.#seen;
  }

  /** Keys in the context model's pair table (at most 3/4 of `tableSize` + `order` + 1). */
  get contextKeys(): number {
    return this.#context.size;
  }

  /** The expert that gave the last score. */
  get lastExpert(): SeriesAnomalyExpert {
    return this.lastContext > this.lastRange ? "context" : "range";
  }

  /** Scores `value` against the points before it, then learns it. */
  update(value: number): number {
    this.lastRange = 0;
    this.lastContext = 0;
    this.lastLow = this.#envelopeLow;
    this.lastHigh = this.#envelopeHigh;
    if (!Number.isFinite(value)) return 0;
    const c = this.config;
    const n = ++this.#seen;
    const range = this.#rangeStrength(value, n);
    if (value < this.#low) this.#low = value;
    if (value > this.#high) this.#high = value;
    const context = n >= c.warmup ? this.#contextStrength(value, n) : 0;
    this.lastRange = range;
    this.lastContext = context;
    const x = Math.max(range, context);
    return x / (1 + x);
  }

  #rangeStrength(value: number, n: number): number {
    const low = this.#envelopeLow;
    const high = this.#envelopeHigh;
    const width = high - low;
    const excess = value > high ? value - high : value < low ? low - value : 0;
    const strength = n > this.config.warmup && width > 0 && excess > 0 ? 1 + excess / width : 0;
    if (value < low) this.#envelopeLow = value;
    if (value > high) this.#envelopeHigh = value;
    if (this.#pull > 0) {
      this.#mean += (value - this.#mean) / Math.min(n, MEAN_MEMORY);
      this.#envelopeLow -= this.#pull * (this.#envelopeLow - this.#mean);
      this.#envelopeHigh -= this.#pull * (this.#envelopeHigh - this.#mean);
    }
    return strength;
  }

  #contextStrength(value: number, n: number): number {
    const c = this.config;
    if (this.#width === 0) this.#rebase();
    let bin = Math.floor((value - this.#base) / this.#width);
    if (bin < -this.#reach || bin > this.#reach + c.bins) {
      this.#rebase();
      bin = Math.floor((value - this.#base) / this.#width);
    }
    // A range too wide for doubles (an infinite width) has no bins to learn.
    if (!Number.isFinite(bin)) return 0;
    const surprise = this.#context.surprise(bin);
    this.#learned += 1;
    const rate = 1 / Math.min(this.#learned, c.surpriseMemory);
    const sd = Math.max(Math.sqrt(this.#surpriseVar), MIN_SURPRISE_SD);
    this.#cusum = Math.max(0, this.#cusum + surprise - this.#surpriseMean - c.drift * sd);
    const delta = surprise - this.#surpriseMean;
    this.#surpriseMean += rate * delta;
    this.#surpriseVar = (1 - rate) * (this.#surpriseVar + rate * delta * delta);
    if (this.#resting > 0) {
      this.#resting -= 1;
      this.#cusum = 0;
      return 0;
    }
    const strength = n >= 2 * c.warmup ? this.#cusum / (c.evidence * sd) : 0;
    if (strength >= 1) {
      this.#resting = c.rest;
      this.#cusum = 0;
    }
    return strength;
  }

  /** `bins` bins across the range seen so far, from half a bin below it; old counts forgotten. */
  #rebase(): void {
    const c = this.config;
    const span = this.#high - this.#low;
    this.#width = span > 0 ? span / c.bins : Math.abs(this.#high) / c.bins || 1;
    this.#base = this.#low - this.#width / 2;
    this.#context.reset();
  }
}
