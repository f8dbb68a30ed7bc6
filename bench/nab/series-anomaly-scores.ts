/**
 * The SeriesAnomaly scorer as a NAB anomaly-score producer: its registered defaults, one
 * configuration for the whole corpus (no per-file tuning), run online over each file's values.
 */
import {
  SERIES_ANOMALY_DEFAULTS,
  type SeriesAnomalyConfig,
  scoreSeries,
} from "../../src/detectors/series-anomaly";

/** The configuration scored on NAB: the detector's defaults. */
export const NAB_SERIES_ANOMALY: SeriesAnomalyConfig = SERIES_ANOMALY_DEFAULTS;

/** Scores in [0, 1) for each value, online (row i sees rows ≤ i only). */
export const seriesAnomalyScores = (
  values: ReadonlyArray<number>,
  config: SeriesAnomalyConfig = NAB_SERIES_ANOMALY,
): ReadonlyArray<number> => Array.from(scoreSeries(values, config));
