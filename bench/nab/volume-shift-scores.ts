/**
 * The VolumeShift detector as a NAB anomaly-score producer: one configuration for the whole
 * corpus (no per-file tuning), run online over each file's values.
 */
import {
  ROBUST_VOLUME_SHIFT,
  type VolumeShiftConfig,
  VolumeShiftModel,
} from "../../src/detectors/volume-shift-model";

/**
 * The robust method on raw values, sized for NAB's high-frequency series (mostly 5-minute
 * metrics): a 1,500-row baseline, 200 rows of warm-up, an event at robust z ≥ 6 that closes
 * under 3, and 400 rows of cooldown after an alert.
 */
export const NAB_VOLUME_SHIFT: VolumeShiftConfig = {
  ...ROBUST_VOLUME_SHIFT,
  transform: "none",
  window: 1500,
  warmup: 200,
  threshold: 6,
  clear: 3,
  cooldown: 400,
};

/** Scores in [0, 1] for each value, online (row i sees rows ≤ i only). */
export const volumeShiftScores = (
  values: ReadonlyArray<number>,
  config: VolumeShiftConfig = NAB_VOLUME_SHIFT,
): ReadonlyArray<number> => {
  const model = new VolumeShiftModel(config);
  return values.map((v) => model.update(v));
};
