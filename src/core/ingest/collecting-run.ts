/**
 * `collectingRun`: a run for replay mode. It decodes every record like `defineSource` but
 * writes nothing (no table, no quarantine) and keeps the valid rows in memory (one
 * partition).
 */
import * as Effect from "effect/Effect";
import { Rejected } from "../model/contracts";
import { emptyRejections } from "../model/quality";
import { fromEither, rowDecoding } from "./row-decoding";
import type { DecodeEnv, SourceDefinition, SourceReport, SourceRun } from "./source";

/**
 * A record whose `identity` repeats an earlier one is dropped, as the uniqueness check would
 * quarantine it. `rows()` returns the valid rows in payload order.
 */
export const collectingRun = <A>(
  definition: SourceDefinition<A>,
  env: DecodeEnv,
  identity?: (row: A) => string,
): { readonly run: SourceRun; readonly rows: () => ReadonlyArray<A> } => {
  const rows: Array<A> = [];
  const seen = new Set<string>();
  let received = 0;
  let rejected = 0;
  const keep = (decoded: A | Rejected) => {
    received += 1;
    if (decoded instanceof Rejected) {
      rejected += 1;
      return;
    }
    const id = identity?.(decoded);
    if (id !== undefined) {
      if (seen.has(id)) {
        rejected += 1;
        return;
      }
      seen.add(id);
    }
    rows.push(decoded);
  };
  const decodeRow = rowDecoding(definition, env);
  const run: SourceRun = {
    accept: (records) =>
      Effect.sync(() => {
        for (const record of records) {
          keep(
            record.problems.length > 0
              ? new Rejected(record.problems)
              : fromEither(definition.decode(record, env)),
          );
        }
      }),
    acceptRows: (block, from, table) =>
      Effect.sync(() => {
        for (let i = from; i < block.count; i++) keep(decodeRow(block, i, table));
      }),
    finish: Effect.sync(
      (): SourceReport => ({
        counts: { received, valid: rows.length, quarantined: rejected, written: 0 },
        batches: 0,
        maxBatchRows: 0,
        maxQuarantineChars: 0,
        sampleRejections: [],
        rejections: emptyRejections,
        details: {},
      }),
    ),
  };
  return { run, rows: () => rows };
};
