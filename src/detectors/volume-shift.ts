/**
 * VolumeShift: volume deviates from its rolling baseline (see `volume-shift-model.ts` for
 * the robust default and the seed's ±50%-of-20-period-average rule).
 */
import * as Effect from "effect/Effect";
import { type Detection, type DetectorDefinition, iso, severityOf } from "./types";
import {
  PERCENT_VOLUME_SHIFT,
  ROBUST_VOLUME_SHIFT,
  type VolumeShiftConfig,
  VolumeShiftModel,
} from "./volume-shift-model";

export { PERCENT_VOLUME_SHIFT, ROBUST_VOLUME_SHIFT, type VolumeShiftConfig, VolumeShiftModel };

/** One observation of a series. */
export interface VolumePoint {
  readonly atMs: number;
  readonly value: number;
}

/** Input: one series' points, oldest first (history first, then the new data). */
export interface VolumeShiftInput {
  readonly series: string;
  readonly points: ReadonlyArray<VolumePoint>;
  /** Only points at or after this instant may alert (earlier ones are history). */
  readonly fromMs?: number;
}

/** Config defaults of a method: robust unless `method: "percent"` is asked for. */
export const volumeShiftConfig = (config?: Partial<VolumeShiftConfig>): VolumeShiftConfig => ({
  ...(config?.method === "percent" ? PERCENT_VOLUME_SHIFT : ROBUST_VOLUME_SHIFT),
  ...config,
});

/** The VolumeShift config of operator settings (`VOLUME_SHIFT_*`); warm-up is half the window. */
export const volumeShiftFromSettings = (settings: {
  readonly volumeShiftMethod: "robust" | "percent";
  readonly volumeShiftWindow?: number;
  readonly volumeShiftThreshold?: number;
}): VolumeShiftConfig => {
  const {
    volumeShiftMethod: method,
    volumeShiftWindow: window,
    volumeShiftThreshold: threshold,
  } = settings;
  return volumeShiftConfig({
    method,
    ...(window === undefined
      ? {}
      : { window, warmup: method === "percent" ? window : Math.ceil(window / 2) }),
    ...(threshold === undefined
      ? {}
      : method === "percent"
        ? { deviationPercent: threshold }
        : { threshold }),
  });
};

const signed = (pct: number) => `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`;

/** The detection for an alerting step. */
export const volumeShiftDetection = (
  series: string,
  point: VolumePoint,
  step: ReturnType<VolumeShiftModel["step"]>,
  config: VolumeShiftConfig,
): Detection => {
  const pct = step.baseline === 0 ? 0 : (100 * (point.value - step.baseline)) / step.baseline;
  const ratio =
    config.method === "percent"
      ? Math.abs(step.deviation) / config.deviationPercent
      : Math.abs(step.deviation) / config.threshold;
  const baselineText = Math.round(step.baseline).toLocaleString("en-US");
  return {
    rule: "VOLUME_SHIFT",
    severity: severityOf(ratio),
    key: `${series}|${iso(point.atMs)}`,
    message: `Volume anomaly: ${series} ${point.value.toLocaleString("en-US")} vs ${config.method === "percent" ? "avg" : "median"} ${baselineText} (${signed(pct)})`,
    context: {
      series,
      current_volume: point.value,
      baseline_volume: Math.round(step.baseline * 100) / 100,
      percent_change: Math.round(pct * 10) / 10,
      method: config.method,
      window: config.window,
      ...(config.method === "robust"
        ? { robust_z: Math.round(step.deviation * 100) / 100, threshold_z: config.threshold }
        : { threshold_percent: config.deviationPercent }),
    },
    observedAt: iso(point.atMs),
  };
};

export const volumeShiftDetector: DetectorDefinition<VolumeShiftInput, VolumeShiftConfig> = {
  name: "VOLUME_SHIFT",
  description:
    "Volume deviates from a rolling baseline (robust median/MAD with warm-up and hysteresis; or ±50% of a 20-period average)",
  defaults: ROBUST_VOLUME_SHIFT,
  detect: (input, config) =>
    Effect.sync(() => {
      const c = volumeShiftConfig(config);
      const model = new VolumeShiftModel(c);
      const found: Array<Detection> = [];
      for (const point of input.points) {
        const score = model.update(point.value);
        if (model.lastAlert && (input.fromMs === undefined || point.atMs >= input.fromMs)) {
          found.push(volumeShiftDetection(input.series, point, model.lastStep(score), c));
        }
      }
      return found;
    }),
};
