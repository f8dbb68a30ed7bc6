/**
 * The detection step of a pipeline: store what the detectors found in `core_anomalies`
 * (deduplicated per partition, rule and key), resolve what they no longer find, and audit
 * `anomaly_detected`. The alerts themselves (log line, webhook, file) go out through the
 * alert outbox (`src/alerts/`). It never fails the pipeline: a detection or storage failure
 * is logged and the run goes on.
 */
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import type { RunContext } from "../core/model/run-context";
import { auditRun } from "../core/pipeline/audit-log";
import {
  Anomalies,
  type AnomalyInput,
  type AnomalyRef,
  recordAnomalies,
  resolveAnomaliesLater,
  resolveAnomalyRefs,
} from "../core/store/anomalies";
import { formatBatch } from "./alerts";
import type { Detection, DetectorRule } from "./types";

/** A detection as `recordAnomalies` stores it (category DATA_QUALITY, context → metadata). */
export const toAnomalyInput = (d: Detection): AnomalyInput => ({
  rule: d.rule,
  severity: d.severity,
  key: d.key,
  message: d.message,
  metadata: { context: d.context },
  observedAt: d.observedAt,
});

/** What one detection step reports into the manifest details. */
export interface DetectionSummary {
  readonly anomalies: number;
  readonly by_rule: Readonly<Record<string, number>>;
  readonly resolved: number;
  readonly error?: string;
}

/** What a step looked at for one rule: its keys, or a test of a key (a big file's series). */
export type CheckedKeys = ReadonlyArray<string> | ((key: string) => boolean);

/** Keys of the open anomalies of the run's partition under `rule`. */
const openKeys = (ctx: RunContext, rule: DetectorRule) => Anomalies.openKeys(ctx, rule);

/**
 * Records `detections` and resolves, per rule in `checked`, every key the step looked at
 * and found clean (`checked[rule]` minus the detected keys). A test instead of a list is
 * asked about the partition's open anomalies only, so a file of a million bars builds no
 * list of a million keys.
 */
export const recordDetections = (
  ctx: RunContext,
  detections: ReadonlyArray<Detection>,
  checked: Partial<Record<DetectorRule, CheckedKeys>> = {},
) =>
  Effect.gen(function* () {
    yield* recordAnomalies(ctx, detections.map(toAnomalyInput));
    // Every rule's clean keys are resolved in one statement.
    const clean: Array<AnomalyRef> = [];
    for (const [rule, keys] of Object.entries(checked) as Array<[DetectorRule, CheckedKeys]>) {
      const found = new Set(detections.filter((d) => d.rule === rule).map((d) => d.key));
      const candidates =
        typeof keys === "function" ? (yield* openKeys(ctx, rule)).filter(keys) : keys;
      for (const key of candidates) if (!found.has(key)) clean.push({ rule, key });
    }
    const resolved = yield* resolveAnomalyRefs(ctx, clean);
    const byRule: Record<string, number> = {};
    for (const d of detections) byRule[d.rule] = (byRule[d.rule] ?? 0) + 1;
    if (detections.length > 0) {
      const alerts = detections.map((d) => ({
        ...d,
        at: d.observedAt,
        partitionKey: ctx.partitionKey,
      }));
      yield* auditRun(ctx)([
        {
          eventType: "anomaly_detected",
          entityType: "partition",
          entityId: ctx.partitionKey,
          newState: { anomalies: detections.length, by_rule: byRule },
          metadata: {
            summary: formatBatch(alerts),
            anomalies: detections.slice(0, 50).map((d) => ({
              rule: d.rule,
              severity: d.severity,
              key: d.key,
              message: d.message,
            })),
          },
        },
      ]);
    }
    return { anomalies: detections.length, by_rule: byRule, resolved } satisfies DetectionSummary;
  });

/** The rule of a detection step that failed; category DATA_QUALITY (docs/anomalies.md). */
export const DETECTOR_ERROR = "DETECTOR_ERROR";
const DETECTOR_ERROR_KEY = "detection";

/**
 * Runs a detection step so it can never halt the pipeline: any failure or defect becomes a
 * logged error, a `DETECTOR_ERROR` anomaly (resolved by the next step that succeeds) and a
 * summary with `error`. Writing the anomaly is best effort too.
 */
export const detectionStep = <E, R>(
  ctx: RunContext,
  step: Effect.Effect<DetectionSummary, E, R>,
): Effect.Effect<DetectionSummary, never, R | Anomalies> =>
  step.pipe(
    Effect.tap(() =>
      resolveAnomaliesLater(ctx, [{ rule: DETECTOR_ERROR, key: DETECTOR_ERROR_KEY }]).pipe(
        Effect.catchAllCause((e) => Effect.logError("detector error anomaly not resolved", e)),
      ),
    ),
    Effect.catchAllCause((cause) => {
      const error = Cause.pretty(cause).split("\n")[0] ?? "detection failed";
      return Effect.logError("anomaly detection failed; the run continues", cause).pipe(
        Effect.annotateLogs({ capture_id: ctx.captureId }),
        Effect.zipRight(
          recordAnomalies(ctx, [
            {
              rule: DETECTOR_ERROR,
              category: "DATA_QUALITY",
              severity: "HIGH",
              key: DETECTOR_ERROR_KEY,
              message: `anomaly detection did not run to the end for ${ctx.partitionKey}: ${error}`,
              metadata: { error: String(Cause.squash(cause)) },
            },
          ]).pipe(
            Effect.catchAllCause((e) => Effect.logError("detector error anomaly not written", e)),
          ),
        ),
        Effect.as({ anomalies: 0, by_rule: {}, resolved: 0, error: String(cause) }),
      );
    }),
    Effect.withSpan("Detectors.detect"),
  );
