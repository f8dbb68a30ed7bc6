/**
 * The sections of `AppConfig`: what each holds and the variables it is read from, with their
 * defaults (docs/configuration.md).
 */
import * as Config from "effect/Config";
import * as ConfigError from "effect/ConfigError";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import type * as Redacted from "effect/Redacted";
import type { RetryPolicy } from "../ingest/retry";
import type { AnomalySeverity } from "../model/anomaly-vocabulary";
import {
  flag,
  integer,
  list,
  minSeverity,
  oneOf,
  positiveInteger,
  positiveNumber,
  ratio,
  ratioOf,
  secret,
  secretUrl,
  text,
} from "./config-values";

const DEMO_FEED_URL = "http://127.0.0.1:8790";

/** Where sources live and how to reach them. */
export interface SourceSettings {
  /** `MARKET_DATA_BASE_URL`: the Polygon-compatible aggregates API (the demo feed locally). */
  readonly polygonBaseUrl: string;
  /** `TRADES_BASE_URL`: the execution (trade) feed; default: the market-data base URL. */
  readonly tradesBaseUrl: string;
  /** `FINRA_BASE_URL`: FINRA OTC transparency weekly files; default: the market-data base URL. */
  readonly finraBaseUrl: string;
  /** `POLYGON_API_KEY`; none for the demo feed. */
  readonly polygonApiKey: Option.Option<Redacted.Redacted<string>>;
  /** `LIVE_UNIVERSES`: universes live (cron) mode ingests. Default `demo`. */
  readonly liveUniverses: ReadonlyArray<string>;
  /** `LIVE_CLIENTS`: clients whose trades live (cron) mode ingests. Default none. */
  readonly liveClients: ReadonlyArray<string>;
  /** `FETCH_CONCURRENCY`: concurrent requests per run. Default 4. */
  readonly fetchConcurrency: number;
  /** `REQUEST_TIMEOUT_MS`: timeout of one source request. Default 15000. */
  readonly requestTimeoutMs: number;
  /** `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_DELAY_MS`: retries inside one run. */
  readonly retry: RetryPolicy;
}

const baseUrl = (name: string) =>
  Config.map(
    text(name),
    Option.map((url) => url.replace(/\/+$/, "")),
  );

export const sourceSettings = (retry: RetryPolicy): Config.Config<SourceSettings> =>
  Config.all({
    market: baseUrl("MARKET_DATA_BASE_URL"),
    trades: baseUrl("TRADES_BASE_URL"),
    finra: baseUrl("FINRA_BASE_URL"),
    polygonApiKey: secret("POLYGON_API_KEY"),
    liveUniverses: list("LIVE_UNIVERSES", ["demo"]),
    liveClients: list("LIVE_CLIENTS", []),
    fetchConcurrency: positiveInteger("FETCH_CONCURRENCY", 4),
    requestTimeoutMs: positiveInteger("REQUEST_TIMEOUT_MS", 15_000),
    maxAttempts: positiveInteger("RETRY_MAX_ATTEMPTS", retry.maxAttempts),
    baseDelayMs: positiveInteger("RETRY_BASE_DELAY_MS", retry.baseDelayMs),
  }).pipe(
    Config.map(({ market, trades, finra, maxAttempts, baseDelayMs, ...rest }) => {
      const polygonBaseUrl = Option.getOrElse(market, () => DEMO_FEED_URL);
      return {
        ...rest,
        polygonBaseUrl,
        tradesBaseUrl: Option.getOrElse(trades, () => polygonBaseUrl),
        finraBaseUrl: Option.getOrElse(finra, () => polygonBaseUrl),
        retry: { ...retry, maxAttempts, baseDelayMs },
      };
    }),
  );

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

export const detectionSettings: Config.Config<DetectionSettings> = Config.all({
  latencySlaMinutes: Config.map(positiveNumber("LATENCY_SLA_MINUTES"), (n) => n ?? 5),
  volumeShiftMethod: oneOf("VOLUME_SHIFT_METHOD", "robust", ["robust", "percent"]),
  window: integer("VOLUME_SHIFT_WINDOW", 0, 1, Number.MAX_SAFE_INTEGER),
  threshold: positiveNumber("VOLUME_SHIFT_THRESHOLD"),
}).pipe(
  Config.map(({ window, threshold, ...rest }) => ({
    ...rest,
    ...(window > 0 ? { volumeShiftWindow: window } : {}),
    ...(threshold !== undefined ? { volumeShiftThreshold: threshold } : {}),
  })),
);

/** Default largest share of quarantined records a run may have: 5%. */
export const DEFAULT_MAX_QUARANTINE_RATIO = 0.05;

/** Quarantine-ratio thresholds (0..1) of the runs' quality gate. */
export interface QualityGateSettings {
  /** `QUALITY_GATE_MAX_QUARANTINE_RATIO`: for pipelines that set none. Default 0.05. */
  readonly maxQuarantineRatio: number;
  /** `QUALITY_GATE_OVERRIDES` (`pipeline=ratio,…`): per pipeline, over its own setting. */
  readonly overrides: Readonly<Record<string, number>>;
}

const overrides = list("QUALITY_GATE_OVERRIDES", []).pipe(
  Config.mapOrFail((entries) => {
    const byPipeline: Record<string, number> = {};
    for (const entry of entries) {
      const [name, value, extra] = entry.split("=").map((part) => part.trim());
      const parsed = value === undefined ? Either.left("") : ratioOf(value);
      if (!name || extra !== undefined || Either.isLeft(parsed)) {
        const message = `entries are pipeline=ratio (0..1); got "${entry}"`;
        return Either.left(ConfigError.InvalidData(["QUALITY_GATE_OVERRIDES"], message));
      }
      byPipeline[name] = parsed.right;
    }
    return Either.right(byPipeline);
  }),
);

export const qualityGateSettings: Config.Config<QualityGateSettings> = Config.all({
  maxQuarantineRatio: ratio("QUALITY_GATE_MAX_QUARANTINE_RATIO", DEFAULT_MAX_QUARANTINE_RATIO),
  overrides,
});

/** How often and how soon a partition actor retries a transiently failed run. */
export interface AlarmSettings {
  /** `ALARM_MAX_ATTEMPTS`: alarm retries per episode before the failure is final. Default 5. */
  readonly maxRetries: number;
  /** `ALARM_BASE_DELAY_MS`: first delay; doubles per retry up to `maxDelayMs`. Default 30000. */
  readonly baseDelayMs: number;
  /** Longest delay: 15 minutes. */
  readonly maxDelayMs: number;
}

export const alarmSettings: Config.Config<AlarmSettings> = Config.all({
  maxRetries: integer("ALARM_MAX_ATTEMPTS", 5, 0, 1_000),
  baseDelayMs: integer("ALARM_BASE_DELAY_MS", 30_000, 0, 86_400_000),
  maxDelayMs: Config.succeed(15 * 60_000),
});

/** When a failed delivery is tried again: base × 2^(attempts − 1), capped; then given up. */
export interface AlertRetryPolicy {
  /** `ALERT_RETRY_BASE_MS`, default 30 s. */
  readonly baseMs: number;
  /** `ALERT_RETRY_MAX_MS`, default 1 h. */
  readonly maxMs: number;
  /** `ALERT_MAX_ATTEMPTS`, default 10: then the delivery is `failed`. */
  readonly maxAttempts: number;
}

/** Alert sinks and delivery (docs/alerts.md). */
export interface AlertSettings {
  /** `ALERT_WEBHOOK_URL` (a secret: never logged or stored) and its threshold. */
  readonly webhook?: {
    readonly url: Redacted.Redacted<string>;
    /** `ALERT_WEBHOOK_MIN_SEVERITY`, default MEDIUM. */
    readonly minSeverity: AnomalySeverity;
    /** `ALERT_WEBHOOK_TIMEOUT_MS`, default 5 s. */
    readonly timeoutMs: number;
  };
  /** `ALERT_LOG_MIN_SEVERITY` (default LOW: every anomaly is a WARN log line); absent = off. */
  readonly logMinSeverity?: AnomalySeverity;
  /** `ALERT_FILE_MIN_SEVERITY` (default LOW) for `--alert-file` (CLI); absent = off. */
  readonly fileMinSeverity?: AnomalySeverity;
  readonly retry: AlertRetryPolicy;
  /** `ALERT_BATCH_SIZE`: deliveries claimed per pass, default 50. */
  readonly batchSize: number;
}

export const alertSettings: Config.Config<AlertSettings> = Config.all({
  url: secretUrl("ALERT_WEBHOOK_URL"),
  webhookMin: minSeverity("ALERT_WEBHOOK_MIN_SEVERITY", "MEDIUM"),
  timeoutMs: integer("ALERT_WEBHOOK_TIMEOUT_MS", 5_000, 1, 60_000),
  logMin: minSeverity("ALERT_LOG_MIN_SEVERITY", "LOW"),
  fileMin: minSeverity("ALERT_FILE_MIN_SEVERITY", "LOW"),
  retry: Config.all({
    baseMs: integer("ALERT_RETRY_BASE_MS", 30_000, 0, 86_400_000),
    maxMs: integer("ALERT_RETRY_MAX_MS", 3_600_000, 0, 7 * 86_400_000),
    maxAttempts: integer("ALERT_MAX_ATTEMPTS", 10, 1, 1_000),
  }),
  batchSize: integer("ALERT_BATCH_SIZE", 50, 1, 1_000),
}).pipe(
  Config.map(
    ({ url, webhookMin, timeoutMs, logMin, fileMin, retry, batchSize }): AlertSettings => ({
      ...(Option.isSome(url) && webhookMin !== "off"
        ? { webhook: { url: url.value, minSeverity: webhookMin, timeoutMs } }
        : {}),
      ...(logMin !== "off" ? { logMinSeverity: logMin } : {}),
      ...(fileMin !== "off" ? { fileMinSeverity: fileMin } : {}),
      retry,
      batchSize,
    }),
  ),
);

/** Default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

/** The HTTP boundary: tokens and limits. */
export interface HttpSettings {
  /** `DATASPINE_API_TOKEN`: the write token (it also reads). Unset: write routes answer 503. */
  readonly apiToken: Option.Option<Redacted.Redacted<string>>;
  /** `DATASPINE_READ_TOKEN`: a token for reads only. Optional. */
  readonly readToken: Option.Option<Redacted.Redacted<string>>;
  /** `DATASPINE_PUBLIC_READS=true` opens every read route without a token. Default false. */
  readonly publicReads: boolean;
  /** `DATASPINE_MAX_BODY_BYTES`: largest request body (413 above it). Default 1048576. */
  readonly maxBodyBytes: number;
}

export const httpSettings: Config.Config<HttpSettings> = Config.all({
  apiToken: secret("DATASPINE_API_TOKEN"),
  readToken: secret("DATASPINE_READ_TOKEN"),
  publicReads: flag("DATASPINE_PUBLIC_READS", false),
  maxBodyBytes: positiveInteger("DATASPINE_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
});

/** The libSQL database. */
export interface LibsqlSettings {
  /** `LIBSQL_URL`; unset: required on Workers and Deno, the embedded file in the CLI. */
  readonly url: Option.Option<string>;
  /** `LIBSQL_AUTH_TOKEN` (Turso). */
  readonly authToken: Option.Option<Redacted.Redacted<string>>;
}

export const libsqlSettings: Config.Config<LibsqlSettings> = Config.all({
  url: text("LIBSQL_URL"),
  authToken: secret("LIBSQL_AUTH_TOKEN"),
});
