/**
 * SeriesAnomaly: the general online anomaly scorer (`series-anomaly-model.ts`) as a detector
 * any pipeline can apply to a numeric column: it maps its rows to `{ atMs, value }` points,
 * oldest first, and gets one detection per alerting event. A config is checked before use:
 * an unknown key or a value out of range fails with `InvalidDetectorConfig`.
 */
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { type InvalidDetectorConfig, invalidConfig } from "./errors";
import {
  SERIES_ANOMALY_MODEL_DEFAULTS,
  SeriesAnomalyModel,
  type SeriesAnomalyModelConfig,
} from "./series-anomaly-model";
import { type Detection, type DetectorDefinition, iso, severityOf } from "./types";

export interface SeriesAnomalyConfig extends SeriesAnomalyModelConfig {
  /** Score at or above which a point alerts (0.5 is the experts' alert level). Default 0.505. */
  readonly threshold: number;
  /** Points after an alert during which the series does not alert again. Default 10. */
  readonly cooldown: number;
}

export const SERIES_ANOMALY_DEFAULTS: SeriesAnomalyConfig = {
  ...SERIES_ANOMALY_MODEL_DEFAULTS,
  threshold: 0.505,
  cooldown: 10,
};

const PositiveInt = Schema.Int.pipe(Schema.positive());
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative());
const FiniteNonNegative = Schema.Number.pipe(Schema.finite(), Schema.nonNegative());

/** What a config may hold; every field is optional and falls back to the default. */
const ConfigFields = Schema.partialWith(
  Schema.Struct({
    warmup: Schema.Int.pipe(Schema.between(2, 1_000_000)),
    bins: Schema.Int.pipe(Schema.between(2, 50)),
    order: Schema.Int.pipe(Schema.between(0, 3)),
    surpriseMemory: PositiveInt,
    drift: FiniteNonNegative,
    evidence: Schema.Number.pipe(Schema.finite(), Schema.positive()),
    rest: NonNegativeInt,
    rangeHalfLife: FiniteNonNegative,
    tableSize: Schema.Int.pipe(
      Schema.between(64, 1 << 20),
      Schema.filter((n) => (n & (n - 1)) === 0, { message: () => "must be a power of two" }),
    ),
    threshold: Schema.Number.pipe(Schema.greaterThan(0), Schema.lessThan(1)),
    cooldown: NonNegativeInt,
  }),
  { exact: true },
);

const decodeConfig = Schema.decodeUnknownEither(ConfigFields, { onExcessProperty: "error" });

/** The full config of overrides (`undefined`: the defaults), or why they are not valid. */
export const seriesAnomalyConfig = (
  config?: unknown,
): Either.Either<SeriesAnomalyConfig, InvalidDetectorConfig> =>
  config === undefined
    ? Either.right(SERIES_ANOMALY_DEFAULTS)
    : Either.match(decodeConfig(config), {
        onLeft: (error) => Either.left(invalidConfig("SERIES_ANOMALY", error)),
        onRight: (fields) => Either.right({ ...SERIES_ANOMALY_DEFAULTS, ...fields }),
      });

/** Scores every value of a series, online (row i sees rows ≤ i only). */
export const scoreSeries = (
  values: ArrayLike<number>,
  config: SeriesAnomalyModelConfig = SERIES_ANOMALY_DEFAULTS,
): Float64Array => {
  const model = new SeriesAnomalyModel(config);
  const scores = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) scores[i] = model.update(values[i]!);
  return scores;
};

/** One observation of a numeric column. */
export interface SeriesPoint {
  readonly atMs: number;
  readonly value: number;
}

/** Input: one series' points, oldest first (history first, then the new data). */
export interface SeriesAnomalyInput {
  readonly series: string;
  readonly points: ReadonlyArray<SeriesPoint>;
  /** Only points at or after this instant may alert (earlier ones are history). */
  readonly fromMs?: number;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The detection of an alerting point. */
const detection = (
  series: string,
  point: SeriesPoint,
  score: number,
  model: SeriesAnomalyModel,
  config: SeriesAnomalyConfig,
): Detection => {
  const strength = score / (1 - score);
  const expert = model.lastExpert;
  const what =
    expert === "range"
      ? `outside its range ${model.lastLow.toLocaleString("en-US")} … ${model.lastHigh.toLocaleString("en-US")}`
      : "breaks the pattern of the values before it";
  return {
    rule: "SERIES_ANOMALY",
    severity: severityOf(strength / (config.threshold / (1 - config.threshold))),
    key: `${series}|${iso(point.atMs)}`,
    message: `Series anomaly: ${series} ${point.value.toLocaleString("en-US")} ${what} (score ${score.toFixed(3)})`,
    context: {
      series,
      value: point.value,
      score: round(score, 4),
      expert,
      range_strength: round(model.lastRange, 4),
      context_strength: round(model.lastContext, 4),
      previous_low: model.lastLow,
      previous_high: model.lastHigh,
      threshold: config.threshold,
    },
    observedAt: iso(point.atMs),
  };
};

export const seriesAnomalyDetector: DetectorDefinition<
  SeriesAnomalyInput,
  SeriesAnomalyConfig,
  InvalidDetectorConfig
> = {
  name: "SERIES_ANOMALY",
  description:
    "Any numeric series: a value outside the range it has held, or a lasting break of its usual sequence of values (online context model with CUSUM evidence)",
  defaults: SERIES_ANOMALY_DEFAULTS,
  detect: (input, config) =>
    Effect.flatMap(seriesAnomalyConfig(config), (c) =>
      Effect.sync(() => {
        const model = new SeriesAnomalyModel(c);
        const found: Array<Detection> = [];
        let quiet = 0;
        for (const point of input.points) {
          const score = model.update(point.value);
          if (quiet > 0) quiet -= 1;
          else if (score >= c.threshold) {
            quiet = c.cooldown;
            if (input.fromMs === undefined || point.atMs >= input.fromMs) {
              found.push(detection(input.series, point, score, model, c));
            }
          }
        }
        return found;
      }),
    ),
};
