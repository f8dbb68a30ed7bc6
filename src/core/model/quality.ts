/**
 * What a run rejected and how its quality gate measures it: the gate a pipeline declares,
 * rejection counts by contract, and the gate's figures as results and anomalies carry them.
 * The gate itself is applied by `core/pipeline/quality-gate.ts`.
 */
import * as Schema from "effect/Schema";

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
