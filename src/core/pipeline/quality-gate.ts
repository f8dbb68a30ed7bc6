/**
 * The quality gate every run passes through: a run that quarantined more than its threshold
 * of the records it received (default 5%), or kept no valid record where records were
 * expected, ends `failed` with `QualityGateFailed`. Its valid rows stay written; the
 * partition is not ready, so dependants refuse it.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import { Effect, Schema } from "effect";
import type { RunCounts, RunError } from "../model/run-result";
import type { Pipeline, PipelineOutcome } from "./pipeline";
import { type QualityGateSettings, SourceConfig } from "./source-config";

export { DEFAULT_MAX_QUARANTINE_RATIO } from "./source-config";

/** How many record indexes a rejection summary keeps. */
const SAMPLE_INDEXES = 20;

/** The gate a pipeline or source declares; unset fields use the defaults. */
export interface QualityGate {
  /** Largest quarantined / received a run may have (0..1). Default 5%. */
  readonly maxQuarantineRatio?: number;
  /** A completed run with no record at all fails the gate (data was due). Default false. */
  readonly requireRecords?: boolean;
}

/** What a run rejected: counts by contract and where the first rejected records were. */
export const RejectionSummary = Schema.Struct({
  /** Quarantined records per contract name (`PRICE_VALIDITY`, `MALFORMED_ROW`, …). */
  by_contract: Schema.Record({ key: Schema.String, value: Schema.Number }),
  /** Record indexes (line numbers for text, array indexes for JSON) of the first rejects. */
  sample_indexes: Schema.Array(Schema.Number),
});
export type RejectionSummary = typeof RejectionSummary.Type;

export const emptyRejections: RejectionSummary = { by_contract: {}, sample_indexes: [] };

/** The contract a violation names: the text before its first `:`. */
export const contractOf = (reason: string): string => {
  const colon = reason.indexOf(":");
  return (colon > 0 ? reason.slice(0, colon) : reason).trim().slice(0, 80) || "UNKNOWN";
};

/** Counts rejected records by contract as they come, keeping the first indexes. */
export class RejectionTally {
  readonly #byContract = new Map<string, number>();
  readonly #sample: Array<number> = [];

  add(index: number, reasons: ReadonlyArray<string>): void {
    if (this.#sample.length < SAMPLE_INDEXES) this.#sample.push(index);
    // A record breaking one contract twice counts once for it.
    const contracts = new Set(reasons.map(contractOf));
    for (const c of contracts) this.#byContract.set(c, (this.#byContract.get(c) ?? 0) + 1);
  }

  summary(): RejectionSummary {
    return {
      by_contract: Object.fromEntries(
        [...this.#byContract].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
      ),
      sample_indexes: [...this.#sample],
    };
  }
}

/** The summary of a list of rejected records. */
export const summarizeRejections = (
  records: ReadonlyArray<{ readonly recordIndex: number; readonly reasons: ReadonlyArray<string> }>,
): RejectionSummary => {
  const tally = new RejectionTally();
  for (const r of records) tally.add(r.recordIndex, r.reasons);
  return tally.summary();
};

/** The gate's figures for one run, as the run error, the manifest and the anomaly carry them. */
export const GateFigures = Schema.Struct({
  ratio: Schema.Number,
  threshold: Schema.Number,
  received: Schema.Number,
  valid: Schema.Number,
  quarantined: Schema.Number,
  /** Contracts with their counts, most frequent first (at most 10). */
  top_reasons: Schema.Array(Schema.Struct({ contract: Schema.String, count: Schema.Number })),
  sample_indexes: Schema.Array(Schema.Number),
});
export type GateFigures = typeof GateFigures.Type;

/** A run's records failed its quality gate. Not retryable: the same input fails again. */
export class QualityGateFailed extends Schema.TaggedError<QualityGateFailed>()(
  "QualityGateFailed",
  {
    pipeline: Schema.String,
    partition: Schema.String,
    reason: Schema.Literal("quarantine_ratio", "no_valid_records"),
    figures: GateFigures,
    message: Schema.String,
  },
  HttpApiSchema.annotations({ status: 422 }),
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
  Effect.map(SourceConfig, (config): GateCheck | undefined => {
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
