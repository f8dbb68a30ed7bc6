/**
 * `DETECTORS`: the four operational anomaly rules and the general series scorer, by name.
 */
import { Registry } from "../core/pipeline/registry";
import { latencyBreachDetector } from "./latency-breach";
import { missingDataDetector } from "./missing-data";
import { seriesAnomalyDetector } from "./series-anomaly";
import { timeGapDetector } from "./time-gap";
import type { AnyDetector } from "./types";
import { volumeShiftDetector } from "./volume-shift";

/** Every registered detector, by rule name. */
export const DETECTORS = new Registry<AnyDetector>("detector")
  .register(missingDataDetector)
  .register(timeGapDetector)
  .register(volumeShiftDetector)
  .register(latencyBreachDetector)
  .register(seriesAnomalyDetector);
