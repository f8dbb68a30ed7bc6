/**
 * The sinks a runtime's settings configure: the webhook (when `ALERT_WEBHOOK_URL` is set)
 * and the log. The CLI adds its alert file (`src/node/alert-file-sink.ts`).
 */
import * as Effect from "effect/Effect";
import type { AlertSettings } from "../core/config/app-config";
import { type AlertSink, logSink } from "./sink";
import { webhookSink } from "./webhook-sink";

export const configuredSinks = (settings: AlertSettings) =>
  Effect.gen(function* () {
    const sinks: Array<AlertSink> = [];
    if (settings.webhook) sinks.push(yield* webhookSink(settings.webhook));
    if (settings.logMinSeverity) sinks.push(logSink(settings.logMinSeverity));
    return sinks as ReadonlyArray<AlertSink>;
  });
