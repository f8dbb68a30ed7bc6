/**
 * What a run says about itself in `core_anomalies`, so every error surfaces in one place
 * (docs/anomalies.md): a summary of its quarantined records (`CONTRACT_VIOLATIONS`,
 * VALIDATION), a failed quality gate (`QUALITY_GATE`), a source that stayed unreachable after
 * the run's retries (`NETWORK_FAILURE`, NETWORK) and a dead-lettered request (`DEAD_LETTER`,
 * NETWORK or VALIDATION). One row of each per partition and stage; a later run without the
 * problem resolves it. Best effort: a failed write is logged and never fails the run.
 */
import * as Effect from "effect/Effect";
import type { PipelineError } from "../model/errors";
import type { RejectionSummary } from "../model/quality";
import type { RunContext } from "../model/run-context";
import type { RunCounts } from "../model/run-result";
import { type AnomalyInput, recordAnomalies, resolveAnomaliesLater } from "../store/anomalies";
import type { GateCheck, QualityGateFailed } from "./quality-gate";

/** The rules of the anomalies runs record about themselves. */
export const RUN_RULES = {
  validation: "CONTRACT_VIOLATIONS",
  gate: "QUALITY_GATE",
  network: "NETWORK_FAILURE",
  deadLetter: "DEAD_LETTER",
} as const;

/** The key of a run anomaly: one per rule for the partition's stage. */
const KEYS = {
  [RUN_RULES.validation]: "quarantine",
  [RUN_RULES.gate]: "quarantine_ratio",
  [RUN_RULES.network]: "source",
  [RUN_RULES.deadLetter]: "source",
} as const;

type RunRule = (typeof RUN_RULES)[keyof typeof RUN_RULES];

/** How a run ended, as far as its anomalies are concerned. */
export type RunEnding =
  | {
      /** The pipeline finished (its gate may still have failed it). */
      readonly kind: "finished";
      readonly counts: RunCounts;
      readonly check: GateCheck;
    }
  | {
      readonly kind: "error";
      readonly error: PipelineError;
      /** Set when the failed request was kept in `core_dead_letters`. */
      readonly deadLetterId?: string;
    }
  | { readonly kind: "other" };

const list = (summary: RejectionSummary) =>
  Object.entries(summary.by_contract)
    .slice(0, 5)
    .map(([contract, n]) => `${contract} ×${n}`)
    .join(", ");

const validationAnomaly = (counts: RunCounts, rejections: RejectionSummary): AnomalyInput => ({
  rule: RUN_RULES.validation,
  category: "VALIDATION",
  severity: "MEDIUM",
  key: KEYS[RUN_RULES.validation],
  message: `${counts.quarantined} of ${counts.received} records quarantined: ${list(rejections)}`,
  metadata: {
    received: counts.received,
    valid: counts.valid,
    quarantined: counts.quarantined,
    by_contract: rejections.by_contract,
    sample_indexes: rejections.sample_indexes,
  },
});

const gateAnomaly = (gate: QualityGateFailed): AnomalyInput => ({
  rule: RUN_RULES.gate,
  category: "QUALITY_GATE",
  severity: "HIGH",
  key: KEYS[RUN_RULES.gate],
  message: `${gate.pipeline} ${gate.partition}: ${gate.message}`,
  metadata: { gate: "quarantine_ratio", reason: gate.reason, ...gate.figures },
});

const sourceAnomaly = (error: PipelineError, deadLetterId?: string): AnomalyInput | undefined => {
  if (error._tag === "DatabaseError") return undefined;
  const where = { source: error.source, url: error.url, error_tag: error._tag };
  if (deadLetterId !== undefined) {
    return {
      rule: RUN_RULES.deadLetter,
      category: error._tag === "TransientSourceError" ? "NETWORK" : "VALIDATION",
      severity: "HIGH",
      key: KEYS[RUN_RULES.deadLetter],
      message: `request dead-lettered (${deadLetterId}): ${error.message}`,
      metadata: { ...where, dead_letter_id: deadLetterId, status: error.status ?? null },
    };
  }
  if (error._tag !== "TransientSourceError") return undefined;
  return {
    rule: RUN_RULES.network,
    category: "NETWORK",
    severity: "MEDIUM",
    key: KEYS[RUN_RULES.network],
    message: `source unreachable after ${error.attempts ?? 1} attempt(s), a retry follows: ${error.message}`,
    metadata: { ...where, reason: error.reason, attempts: error.attempts ?? 1 },
  };
};

/** Resolves the open run anomalies of these rules in one statement, sent with the run's writes. */
const resolveRules = (ctx: RunContext, rules: ReadonlyArray<RunRule>) =>
  resolveAnomaliesLater(
    ctx,
    rules.map((rule) => ({ rule, key: KEYS[rule] })),
  );

/** Records and resolves the run anomalies of one ended run; never fails. */
export const recordRunAnomalies = (ctx: RunContext, ending: RunEnding) =>
  Effect.gen(function* () {
    if (ending.kind === "other") return;
    if (ending.kind === "error") {
      const anomaly = sourceAnomaly(ending.error, ending.deadLetterId);
      if (anomaly) yield* recordAnomalies(ctx, [anomaly]);
      return;
    }
    const found: Array<AnomalyInput> = [];
    const { counts, check } = ending;
    if (counts.quarantined > 0) found.push(validationAnomaly(counts, check.rejections));
    if (check.failure) found.push(gateAnomaly(check.failure));
    yield* recordAnomalies(ctx, found);
    // The source answered, so earlier source failures of the partition are over.
    const gone = (
      [RUN_RULES.validation, RUN_RULES.gate, RUN_RULES.network, RUN_RULES.deadLetter] as const
    ).filter((rule) => !found.some((a) => a.rule === rule));
    yield* resolveRules(ctx, gone);
  }).pipe(
    Effect.catchAllCause((cause) =>
      Effect.logError("run anomaly write failed; the run's outcome stands", cause).pipe(
        Effect.annotateLogs({ capture_id: ctx.captureId }),
      ),
    ),
    Effect.withSpan("Runner.recordRunAnomalies"),
  );
