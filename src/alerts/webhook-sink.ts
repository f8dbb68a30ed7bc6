/**
 * The webhook sink: POSTs each alert as JSON (the anomaly's fields plus `text`, the alert
 * line, which Slack-compatible incoming webhooks show as the message). Any 2xx is delivered;
 * anything else, a transport error or no answer within the timeout is a failure to retry.
 * The URL may hold a secret, so no error message contains it.
 */
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Redacted from "effect/Redacted";
import { describeChain, HttpFetch, send } from "../core/http/http-fetch";
import type { AnomalySeverity } from "../core/model/anomaly-vocabulary";
import { describeUnknown } from "../db/errors";
import { type AlertSink, AlertSinkError } from "./sink";

export interface WebhookOptions {
  /** A secret: it may carry a token. */
  readonly url: Redacted.Redacted<string>;
  readonly minSeverity: AnomalySeverity;
  readonly timeoutMs: number;
}

const BODY_EXCERPT = 200;

/** A webhook sink over the runtime's `HttpFetch` (fetch in Workers, Deno and Node). */
export const webhookSink = (options: WebhookOptions) =>
  Effect.map(
    HttpFetch,
    (http): AlertSink => ({
      name: "webhook",
      minSeverity: options.minSeverity,
      deliver: (alert) => {
        const fail = (message: string) =>
          new AlertSinkError({
            sink: "webhook",
            message: message.replaceAll(Redacted.value(options.url), "<url>"),
          });
        const request = send({
          method: "POST",
          url: Redacted.value(options.url),
          headers: {
            // Lets a receiver drop a copy should a delivery be recorded late and repeated.
            "idempotency-key": `${alert.anomaly_id}.${alert.episode}`,
            "user-agent": "dataspine-alerts",
          },
          json: alert,
        });
        return request.pipe(
          Effect.provideService(HttpFetch, http),
          // The body is read either way, so the connection is released.
          Effect.flatMap((response) =>
            response.text.pipe(
              Effect.orElseSucceed(() => ""),
              Effect.flatMap((body) =>
                response.status >= 200 && response.status < 300
                  ? Effect.void
                  : Effect.fail(
                      fail(`HTTP ${response.status}: ${body.slice(0, BODY_EXCERPT)}`.trimEnd()),
                    ),
              ),
            ),
          ),
          Effect.timeoutFail({
            duration: Duration.millis(options.timeoutMs),
            onTimeout: () => fail(`no answer within ${options.timeoutMs} ms`),
          }),
          Effect.catchTag("RequestError", (e) =>
            Effect.fail(fail(`request failed (${e.reason}): ${describeChain(e.cause)}`)),
          ),
          Effect.catchAllDefect((defect) => Effect.fail(fail(describeUnknown(defect)))),
        );
      },
    }),
  );
