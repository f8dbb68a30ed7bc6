/**
 * The VolumeShift model: an online score of how far a series' latest value sits from its
 * rolling baseline. Two methods:
 *
 * - `robust` (default): baseline = rolling median of the previous `window` values, spread =
 *   their scaled MAD (floored so a flat series cannot divide by zero); no score during the
 *   `warmup`; an event opens at `threshold` robust z and closes below `clear`, and only its
 *   opening row alerts, so one shift is one alert, not twenty.
 * - `percent` (seed rule): alert when the value deviates more than `deviationPercent` from
 *   the rolling average of the previous `window` values (default 20 periods, ±50%).
 *
 * Row i only uses rows ≤ i; memory is one window per series.
 */
import { RollingWindow } from "./rolling";

export interface VolumeShiftConfig {
  readonly method: "robust" | "percent";
  /** Rows in the baseline. Default 20 (`percent`, the seed's), 60 (`robust`). */
  readonly window: number;
  /** Rows seen before any score. Default 10 (`robust`), the window (`percent`). */
  readonly warmup: number;
  /** `robust`: robust z that opens an event. Default 3.5. */
  readonly threshold: number;
  /** `robust`: robust z under which an open event closes (hysteresis). Default 2. */
  readonly clear: number;
  /** `percent`: deviation from the rolling average that alerts. Default 50. */
  readonly deviationPercent: number;
  /** Spread floor as a share of |baseline| (flat series). Default 0.01. */
  readonly minSpreadShare: number;
  /** `robust`: spread floor as a share of the window's standard deviation. Default 0.5. */
  readonly stdFloor: number;
  /** `robust`: rows after an alert during which no new event opens. Default 5. */
  readonly cooldown: number;
  /** `robust`: score `log1p(value)` instead of the value (volumes are multiplicative). */
  readonly transform: "none" | "log";
}

export const ROBUST_VOLUME_SHIFT: VolumeShiftConfig = {
  method: "robust",
  window: 60,
  warmup: 10,
  threshold: 3.5,
  clear: 2,
  deviationPercent: 50,
  minSpreadShare: 0.01,
  cooldown: 5,
  stdFloor: 0.5,
  transform: "log",
};

export const PERCENT_VOLUME_SHIFT: VolumeShiftConfig = {
  method: "percent",
  window: 20,
  warmup: 20,
  threshold: 4,
  clear: 2,
  deviationPercent: 50,
  minSpreadShare: 0.01,
  cooldown: 0,
  stdFloor: 0.5,
  transform: "none",
};

/** What the model says about one value. */
export interface VolumeShiftStep {
  /** Anomaly score in [0, 1]: 0.5 at the alert level, higher is stronger. */
  readonly score: number;
  /** True on the row that opens an event. */
  readonly alert: boolean;
  /**
   * The baseline before the value was added (NaN during warm-up), in the value's units;
   * the spread is in the model's units (log1p of the value with `transform: "log"`).
   */
  readonly baseline: number;
  readonly spread: number;
  /** Robust z (`robust`) or signed deviation in percent of the average (`percent`). */
  readonly deviation: number;
}

const MAD_TO_SIGMA = 1.4826;

/** One series' state. */
export class VolumeShiftModel {
  readonly #window: RollingWindow;
  #seen = 0;
  #open = false;
  #quiet = 0;
  /** The last value's step, field by field (`update` fills them without allocating). */
  lastAlert = false;
  lastSpread = Number.NaN;
  lastDeviation = 0;
  /** The last baseline in the model's units (log1p with `transform: "log"`). */
  #baseline = Number.NaN;

  constructor(readonly config: VolumeShiftConfig) {
    this.#window = new RollingWindow(config.window);
  }

  /** The last value's baseline in the value's units (NaN during warm-up). */
  get lastBaseline(): number {
    const c = this.config;
    return c.method === "robust" && c.transform === "log"
      ? Math.expm1(this.#baseline)
      : this.#baseline;
  }

  /** The step of one value, as an object. */
  step(input: number): VolumeShiftStep {
    return this.lastStep(this.update(input));
  }

  /** The last value's step as an object, given the score `update` returned. */
  lastStep(score: number): VolumeShiftStep {
    return {
      score,
      alert: this.lastAlert,
      baseline: this.lastBaseline,
      spread: this.lastSpread,
      deviation: this.lastDeviation,
    };
  }

  /** Scores one value against the window before it, then adds it; returns the score. */
  update(input: number): number {
    const c = this.config;
    const value =
      c.method === "robust" && c.transform === "log" ? Math.log1p(Math.max(0, input)) : input;
    const ready = this.#seen >= c.warmup && this.#window.count > 0;
    let score = 0;
    this.lastAlert = false;
    this.#baseline = Number.NaN;
    this.lastSpread = Number.NaN;
    this.lastDeviation = 0;
    if (ready && Number.isFinite(value)) {
      score = c.method === "percent" ? this.#percent(value) : this.#robust(value);
    }
    if (Number.isFinite(value)) {
      this.#window.push(value);
      this.#seen += 1;
    }
    return score;
  }

  #percent(value: number): number {
    const baseline = this.#window.mean();
    const deviation = baseline === 0 ? 0 : (100 * (value - baseline)) / Math.abs(baseline);
    const ratio = Math.abs(deviation) / this.config.deviationPercent;
    this.lastAlert = ratio > 1;
    this.#baseline = baseline;
    this.lastDeviation = deviation;
    return ratio / (1 + ratio);
  }

  #robust(value: number): number {
    const c = this.config;
    const baseline = this.#window.median();
    const spread = Math.max(
      MAD_TO_SIGMA * this.#window.mad(),
      c.minSpreadShare * Math.abs(baseline),
      c.stdFloor * this.#window.std(),
      Number.EPSILON,
    );
    const z = (value - baseline) / spread;
    const strength = Math.abs(z) / c.threshold;
    const opening = !this.#open && this.#quiet === 0 && strength >= 1;
    if (this.#quiet > 0) this.#quiet -= 1;
    if (this.#open && Math.abs(z) < c.clear) this.#open = false;
    else if (opening) {
      this.#open = true;
      this.#quiet = c.cooldown;
    }
    this.lastAlert = opening;
    this.#baseline = baseline;
    this.lastSpread = spread;
    this.lastDeviation = z;
    // Rows inside an open event or its cooldown stay below the alert level: one event,
    // one alert.
    const raw = strength / (1 + strength);
    return opening ? raw : this.#open || this.#quiet > 0 ? Math.min(raw, 0.49) * 0.5 : raw;
  }
}
