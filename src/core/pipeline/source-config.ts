/**
 * Where sources live and how to reach them; read from the Worker's env or the process env.
 */
import { Context, Layer } from "effect";
import { defaultRetryPolicy, type RetryPolicy } from "../ingest/retry";

export interface SourceConfigShape {
  /** Base URL of the Polygon-compatible aggregates API (the demo feed locally). */
  readonly polygonBaseUrl: string;
  /** Base URL of the execution (trade) feed; default: the market-data base URL. */
  readonly tradesBaseUrl: string;
  /** Base URL of the FINRA OTC transparency weekly files; default: the market-data base URL. */
  readonly finraBaseUrl: string;
  /** Polygon API key; empty for the demo feed. A secret: never logged. */
  readonly polygonApiKey: string;
  /** Universes live (cron) mode ingests. Default `["demo"]`. */
  readonly liveUniverses: ReadonlyArray<string>;
  /** Clients whose trades live (cron) mode ingests. Default none. */
  readonly liveClients: ReadonlyArray<string>;
  /** Concurrent requests per run. Default 4. */
  readonly fetchConcurrency: number;
  /** Timeout of one source request. Default 15 s. */
  readonly requestTimeoutMs: number;
  /** Retries inside one run. */
  readonly retry: RetryPolicy;
  /** Thresholds of the pipelines' anomaly detectors (`src/detectors/`). */
  readonly detection: DetectionSettings;
  /** Quality gate thresholds an operator may set (`src/core/pipeline/quality-gate.ts`). */
  readonly qualityGate: QualityGateSettings;
}

/** Default largest share of quarantined records a run may have: 5%. */
export const DEFAULT_MAX_QUARANTINE_RATIO = 0.05;

/** Quarantine-ratio thresholds (0..1) of the runs' quality gate. */
export interface QualityGateSettings {
  /** `QUALITY_GATE_MAX_QUARANTINE_RATIO`: for pipelines that set none. Default 0.05. */
  readonly maxQuarantineRatio: number;
  /** `QUALITY_GATE_OVERRIDES` (`pipeline=ratio,…`): per pipeline, over its own setting. */
  readonly overrides: Readonly<Record<string, number>>;
}

/** Detector thresholds an operator may set; unset ones use each detector's defaults. */
export interface DetectionSettings {
  /** `LATENCY_SLA_MINUTES`: largest acceptable ingestion delay. Default 5. */
  readonly latencySlaMinutes: number;
  /** `VOLUME_SHIFT_METHOD`: `robust` (default) or `percent` (the seed's ±50% rule). */
  readonly volumeShiftMethod: "robust" | "percent";
  /** `VOLUME_SHIFT_WINDOW`: baseline length in sessions. Default 60 (robust), 20 (percent). */
  readonly volumeShiftWindow?: number;
  /** `VOLUME_SHIFT_THRESHOLD`: robust z (default 3.5), or percent deviation (default 50). */
  readonly volumeShiftThreshold?: number;
}

/** Source settings of the current runtime. */
export class SourceConfig extends Context.Tag("dataspine/SourceConfig")<
  SourceConfig,
  SourceConfigShape
>() {
  /** Builds the settings from string variables, with documented defaults. */
  static readonly fromVars = (vars: Readonly<Record<string, string | undefined>>) =>
    Layer.succeed(SourceConfig, sourceConfigFromVars(vars));
}

const positiveInt = (text: string | undefined, fallback: number): number => {
  const value = Number(text);
  return text !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
};

const positiveNumber = (text: string | undefined): number | undefined => {
  const value = Number(text);
  return text !== undefined && text !== "" && Number.isFinite(value) && value > 0
    ? value
    : undefined;
};

const detectionFromVars = (
  vars: Readonly<Record<string, string | undefined>>,
): DetectionSettings => {
  const window = positiveNumber(vars.VOLUME_SHIFT_WINDOW);
  const threshold = positiveNumber(vars.VOLUME_SHIFT_THRESHOLD);
  return {
    latencySlaMinutes: positiveNumber(vars.LATENCY_SLA_MINUTES) ?? 5,
    volumeShiftMethod: vars.VOLUME_SHIFT_METHOD === "percent" ? "percent" : "robust",
    ...(window !== undefined && Number.isInteger(window) ? { volumeShiftWindow: window } : {}),
    ...(threshold !== undefined ? { volumeShiftThreshold: threshold } : {}),
  };
};

const ratio = (text: string | undefined): number | undefined => {
  const value = Number(text);
  return text !== undefined && text.trim() !== "" && value >= 0 && value <= 1 ? value : undefined;
};

const qualityGateFromVars = (
  vars: Readonly<Record<string, string | undefined>>,
): QualityGateSettings => {
  const overrides: Record<string, number> = {};
  for (const entry of (vars.QUALITY_GATE_OVERRIDES ?? "").split(",")) {
    const [name, value] = entry.split("=").map((part) => part.trim());
    const parsed = ratio(value);
    if (name && parsed !== undefined) overrides[name] = parsed;
  }
  return {
    maxQuarantineRatio:
      ratio(vars.QUALITY_GATE_MAX_QUARANTINE_RATIO) ?? DEFAULT_MAX_QUARANTINE_RATIO,
    overrides,
  };
};

/** Reads `MARKET_DATA_BASE_URL`, `POLYGON_API_KEY`, `LIVE_UNIVERSES`, `FETCH_CONCURRENCY`, … */
export const sourceConfigFromVars = (
  vars: Readonly<Record<string, string | undefined>>,
): SourceConfigShape => ({
  polygonBaseUrl: (vars.MARKET_DATA_BASE_URL ?? "http://127.0.0.1:8790").replace(/\/+$/, ""),
  tradesBaseUrl: (
    vars.TRADES_BASE_URL ||
    vars.MARKET_DATA_BASE_URL ||
    "http://127.0.0.1:8790"
  ).replace(/\/+$/, ""),
  finraBaseUrl: (
    vars.FINRA_BASE_URL ||
    vars.MARKET_DATA_BASE_URL ||
    "http://127.0.0.1:8790"
  ).replace(/\/+$/, ""),
  polygonApiKey: vars.POLYGON_API_KEY ?? "",
  liveUniverses: (vars.LIVE_UNIVERSES ?? "demo")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u.length > 0),
  liveClients: (vars.LIVE_CLIENTS ?? "")
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c.length > 0),
  fetchConcurrency: positiveInt(vars.FETCH_CONCURRENCY, 4),
  requestTimeoutMs: positiveInt(vars.REQUEST_TIMEOUT_MS, 15_000),
  retry: {
    ...defaultRetryPolicy,
    maxAttempts: positiveInt(vars.RETRY_MAX_ATTEMPTS, defaultRetryPolicy.maxAttempts),
    baseDelayMs: positiveInt(vars.RETRY_BASE_DELAY_MS, defaultRetryPolicy.baseDelayMs),
  },
  detection: detectionFromVars(vars),
  qualityGate: qualityGateFromVars(vars),
});
