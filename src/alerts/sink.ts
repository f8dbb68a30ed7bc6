/**
 * Alert sinks behind one interface: where an anomaly's alert goes (`webhook`, `log`,
 * `file:<path>`), from which severity on, and how one alert is delivered. A sink's name keys
 * its deliveries in `core_alert_deliveries`, so a sink keeps its name across processes.
 */
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import type { AnomalySeverity } from "../core/model/anomaly-vocabulary";
import type { AnomalyView } from "../core/store/anomalies";
import { formatAlert } from "../detectors/alerts";

/** What every sink receives: the anomaly as `GET /anomalies` shows it, and its alert line. */
export interface AlertPayload extends AnomalyView {
  /** The formatted alert line (`[HIGH] VOLUME_SHIFT at …: …`); Slack's message field. */
  readonly text: string;
  /** 1, then +1 for each re-opening of the anomaly: `anomaly_id` + `episode` is unique. */
  readonly episode: number;
}

/** One delivery did not go through; `message` is kept as the delivery's `last_error`. */
export class AlertSinkError extends Data.TaggedError("AlertSinkError")<{
  readonly sink: string;
  readonly message: string;
}> {}

export interface AlertSink {
  /** Stable: `webhook`, `log`, `file:<absolute path>`. */
  readonly name: string;
  /** Anomalies below this severity never reach the sink. */
  readonly minSeverity: AnomalySeverity;
  readonly deliver: (alert: AlertPayload) => Effect.Effect<void, AlertSinkError>;
}

/** The payload of `anomaly` for its `episode`. */
export const alertPayload = (anomaly: AnomalyView, episode: number): AlertPayload => ({
  ...anomaly,
  text: formatAlert({
    rule: anomaly.rule,
    severity: anomaly.severity,
    message: anomaly.message,
    at: anomaly.observed_at ?? anomaly.detected_at,
    partitionKey: anomaly.partition_key,
  }),
  episode,
});

/** The log sink: the alert line as a WARN log entry, annotated with the anomaly's ids. */
export const logSink = (minSeverity: AnomalySeverity): AlertSink => ({
  name: "log",
  minSeverity,
  deliver: (alert) =>
    Effect.logWarning(alert.text).pipe(
      Effect.annotateLogs({
        alert: "anomaly",
        anomaly_id: alert.anomaly_id,
        rule: alert.rule,
        severity: alert.severity,
        ...(alert.capture_id ? { capture_id: alert.capture_id } : {}),
      }),
    ),
});
