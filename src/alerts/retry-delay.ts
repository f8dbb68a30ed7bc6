/**
 * When a failed alert delivery is tried again. The alert settings are `AppConfig.alerts`
 * (`ALERT_*`, docs/alerts.md).
 */
import type { AlertRetryPolicy } from "../core/config/app-config";

/** The delay before attempt `attempts + 1`, after `attempts` failed ones. */
export const retryDelayMs = (policy: AlertRetryPolicy, attempts: number): number =>
  Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
