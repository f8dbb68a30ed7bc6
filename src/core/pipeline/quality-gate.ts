/**
 * The quality gate every run passes through: a run that quarantined more than its threshold
 * of the records it received (default 5%), or kept no valid record where records were
 * expected, ends `failed` with `QualityGateFailed`. Its valid rows stay written; the
 * partition is not ready, so dependants refuse it.
 */
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { AppConfig, type QualityGateSettings } from "../config/app-config";
import {
  emptyRejections,
  GateFigures,
  type QualityGate,
  type RejectionSummary,
} from "../model/quality";
import type { RunCounts, RunError } from "../model/run-result";
import { TaggedHttpError } from "../model/tagged-http-error";
import type { Pipeline, PipelineOutcome } from "./pipeline";

export { DEFAULT_MAX_QUARANTINE_RATIO } from "../config/app-config";

/** A run's records failed its quality gate. Not retryable: the same input fails again. */
export class QualityGateFailed extends TaggedHttpError<QualityGateFailed>()(
  "QualityGateFailed",
  422,
  {
    pipeline: Schema.String,
    partition: Schema.String,
    reason: Schema.Literal("quarantine_ratio", "no_valid_records"),
    figures: GateFigures,
  },
) {}

/**
 * The threshold that applies to `pipeline`: a `QUALITY_GATE_OVERRIDES` entry for it, else the
 * pipeline's own, else `QUALITY_GATE_MAX_QUARANTINE_RATIO`, else 5%.
 */
export const gateThreshold = (
  pipeline: string,
  gate: QualityGate | undefined,
  config: QualityGateSettings,
): number => config.overrides[pipeline] ?? gate?.maxQuarantineRatio ?? config.maxQuarantineRatio;

const percent = (ratio: number) => `${Math.round(ratio * 10_000) / 100}%`;

/** Checks a completed run's counts; returns the failure, or undefined when the run passes. */
export const checkQualityGate = (input: {
  readonly pipeline: string;
  readonly partition: string;
  readonly counts: RunCounts;
  readonly rejections: RejectionSummary;
  readonly threshold: number;
  readonly requireRecords: boolean;
}): QualityGateFailed | undefined => {
  const { received, valid, quarantined } = input.counts;
  const ratio = received === 0 ? 0 : quarantined / received;
  const noValid = valid === 0 && (received > 0 || input.requireRecords);
  if (!noValid && ratio <= input.threshold) return undefined;
  const figures: GateFigures = {
    ratio,
    threshold: input.threshold,
    received,
    valid,
    quarantined,
    top_reasons: Object.entries(input.rejections.by_contract)
      .slice(0, 10)
      .map(([contract, count]) => ({ contract, count })),
    sample_indexes: input.rejections.sample_indexes,
  };
  const reasons = figures.top_reasons.map((r) => `${r.contract} ×${r.count}`).join(", ");
  const message =
    ratio > input.threshold
      ? `quality gate: ${quarantined} of ${received} records quarantined (${percent(ratio)} > ${percent(input.threshold)})${reasons ? `: ${reasons}` : ""}`
      : received === 0
        ? "quality gate: no records received where data was expected"
        : `quality gate: no valid records among ${received}${reasons ? `: ${reasons}` : ""}`;
  return new QualityGateFailed({
    pipeline: input.pipeline,
    partition: input.partition,
    reason: ratio > input.threshold ? "quarantine_ratio" : "no_valid_records",
    figures,
    message,
  });
};

/** What the runner keeps of a gate check: the figures for the manifest, and the failure. */
export interface GateCheck {
  readonly summary: {
    readonly ratio: number;
    readonly threshold: number;
    readonly passed: boolean;
  };
  readonly rejections: RejectionSummary;
  readonly failure?: QualityGateFailed;
}

/** Checks a pipeline's completed outcome against its gate; other outcomes are not gated. */
export const applyQualityGate = (pipeline: Pipeline, partition: string, outcome: PipelineOutcome) =>
  Effect.map(AppConfig, (config): GateCheck | undefined => {
    if (outcome.status !== "complete") return undefined;
    const threshold = gateThreshold(pipeline.name, pipeline.qualityGate, config.qualityGate);
    const rejections = outcome.rejections ?? emptyRejections;
    const failure = checkQualityGate({
      pipeline: pipeline.name,
      partition,
      counts: outcome.counts,
      rejections,
      threshold,
      requireRecords: pipeline.qualityGate?.requireRecords ?? false,
    });
    const { received, quarantined } = outcome.counts;
    return {
      summary: {
        ratio: received === 0 ? 0 : quarantined / received,
        threshold,
        passed: failure === undefined,
      },
      rejections,
      ...(failure ? { failure } : {}),
    };
  });

/** The run error of a failed quality gate, with its figures (not retryable). */
export const gateRunError = (gate: QualityGateFailed): RunError => ({
  tag: gate._tag,
  message: gate.message,
  retryable: false,
  gate: gate.figures,
});
