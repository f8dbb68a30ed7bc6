/**
 * Alert settings from string variables (the Worker's env or the process env), with
 * documented defaults (docs/alerts.md). A value that does not parse is reported in
 * `problems` and its default used, so the caller decides: the CLI refuses to start, the
 * Worker logs it.
 */
import type { AnomalySeverity } from "../core/model/anomaly-vocabulary";
import { type MinSeverity, parseMinSeverity } from "./severity";

/** When a failed delivery is tried again: base × 2^(attempts − 1), capped; then given up. */
export interface AlertRetryPolicy {
  /** `ALERT_RETRY_BASE_MS`, default 30 s. */
  readonly baseMs: number;
  /** `ALERT_RETRY_MAX_MS`, default 1 h. */
  readonly maxMs: number;
  /** `ALERT_MAX_ATTEMPTS`, default 10: then the delivery is `failed`. */
  readonly maxAttempts: number;
}

export interface AlertSettings {
  /** `ALERT_WEBHOOK_URL` (a secret: never logged or stored) and its threshold. */
  readonly webhook?: {
    readonly url: string;
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
  /** What did not parse (the default was used instead). */
  readonly problems: ReadonlyArray<string>;
}

/** The delay before attempt `attempts + 1`, after `attempts` failed ones. */
export const retryDelayMs = (policy: AlertRetryPolicy, attempts: number): number =>
  Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
};

const orUndefined = (s: MinSeverity): AnomalySeverity | undefined => (s === "off" ? undefined : s);

/** Reads the `ALERT_*` variables. */
export const alertSettingsFromVars = (
  vars: Readonly<Record<string, string | undefined>>,
): AlertSettings => {
  const problems: Array<string> = [];
  const severity = (name: string, fallback: MinSeverity): MinSeverity => {
    const parsed = parseMinSeverity(name, vars[name], fallback);
    if (typeof parsed === "string") return parsed;
    problems.push(parsed.problem);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const text = vars[name]?.trim();
    if (text === undefined || text === "") return fallback;
    const n = Number(text);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${name} must be an integer ${min}..${max}; got "${text}"`);
    return fallback;
  };
  const url = vars.ALERT_WEBHOOK_URL?.trim();
  let webhookUrl: string | undefined;
  if (url) {
    const parsed = parseUrl(url);
    if (parsed && (parsed.protocol === "https:" || parsed.protocol === "http:")) webhookUrl = url;
    // The URL may carry a secret: the problem names the variable, not its value.
    else problems.push("ALERT_WEBHOOK_URL must be an http(s) URL");
  }
  const webhookMin = severity("ALERT_WEBHOOK_MIN_SEVERITY", "MEDIUM");
  const timeoutMs = int("ALERT_WEBHOOK_TIMEOUT_MS", 5_000, 1, 60_000);
  const logMin = orUndefined(severity("ALERT_LOG_MIN_SEVERITY", "LOW"));
  const fileMin = orUndefined(severity("ALERT_FILE_MIN_SEVERITY", "LOW"));
  return {
    ...(webhookUrl && webhookMin !== "off"
      ? { webhook: { url: webhookUrl, minSeverity: webhookMin, timeoutMs } }
      : {}),
    ...(logMin ? { logMinSeverity: logMin } : {}),
    ...(fileMin ? { fileMinSeverity: fileMin } : {}),
    retry: {
      baseMs: int("ALERT_RETRY_BASE_MS", 30_000, 0, 86_400_000),
      maxMs: int("ALERT_RETRY_MAX_MS", 3_600_000, 0, 7 * 86_400_000),
      maxAttempts: int("ALERT_MAX_ATTEMPTS", 10, 1, 1_000),
    },
    batchSize: int("ALERT_BATCH_SIZE", 50, 1, 1_000),
    problems,
  };
};
