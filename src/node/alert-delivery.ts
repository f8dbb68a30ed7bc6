/**
 * Alert delivery for CLI commands that run pipelines: after the run (whatever its outcome)
 * a bounded delivery pass sends what is due to the configured sinks (`ALERT_*` variables,
 * `--alert-file`), including retries left by earlier runs. It never changes the command's
 * result or exit code; `ALERT_CLI_WAIT_MS` (default 0) lets the command wait that long for
 * retries falling due.
 */
import * as Effect from "effect/Effect";
import { deliverWithin } from "../alerts/dispatch";
import { configuredSinks } from "../alerts/sinks";
import { type AlertSettings, type ConfigVars, readAppConfig } from "../core/config/app-config";
import { alertFileSink } from "./alert-file-sink";
import { UsageError } from "./commands/shared";

/** The `--alert-file` option of `parseArgs`. */
export const ALERT_FILE_OPTION = { "alert-file": { type: "string" } } as const;

export interface CliAlerts {
  readonly settings: AlertSettings;
  readonly alertFile?: string;
  readonly waitMs: number;
}

/** Reads the settings; a value that does not parse is bad usage (exit 2) before any run. */
export const cliAlerts = (
  alertFile: string | undefined,
  env: ConfigVars = process.env,
): CliAlerts => {
  const config = readAppConfig(env);
  if (config._tag === "Left") throw new UsageError(config.left.message);
  const wait = env.ALERT_CLI_WAIT_MS?.trim();
  const waitMs = wait ? Number(wait) : 0;
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > 600_000) {
    throw new UsageError(`ALERT_CLI_WAIT_MS must be an integer 0..600000; got "${wait}"`);
  }
  return { settings: config.right.alerts, ...(alertFile ? { alertFile } : {}), waitMs };
};

/** The configured sinks, and the alert file when one is given. */
export const alertSinksFor = (alerts: CliAlerts) =>
  Effect.map(configuredSinks(alerts.settings), (configured) => {
    const sinks = [...configured];
    if (alerts.alertFile && alerts.settings.fileMinSeverity) {
      sinks.push(alertFileSink(alerts.alertFile, alerts.settings.fileMinSeverity));
    }
    return sinks;
  });

/** Runs `effect`, then the delivery pass; the effect's outcome is returned unchanged. */
export const withAlertDelivery = <A, E, R>(effect: Effect.Effect<A, E, R>, alerts: CliAlerts) =>
  effect.pipe(
    Effect.ensuring(
      Effect.gen(function* () {
        const sinks = yield* alertSinksFor(alerts);
        const report = yield* deliverWithin(sinks, alerts.settings, alerts.waitMs);
        if (report.attempted > 0) yield* Effect.logInfo("alerts delivered", report);
      }).pipe(
        Effect.catchAllCause((cause) =>
          Effect.logError("alert delivery failed; the next run tries again", cause),
        ),
      ),
    ),
  );
