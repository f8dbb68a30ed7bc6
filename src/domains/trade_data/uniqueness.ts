/**
 * Uniqueness of `trade_id` within `client_id` inside one write batch: the repeat's quarantine
 * record, the cheap check for batches numbered in order, and the first occurrences otherwise.
 * `invariants.ts` adds the check against earlier batches.
 */
import type { Accepted } from "../../core/ingest/source";
import { violation } from "../../core/model/contracts";
import type { QuarantinedRecord } from "../../core/store/quarantine";
import type { TradeData } from "./schema";

/** A repeated trade, quarantined under UNIQUENESS; `where` says where it was seen first. */
export const duplicateTrade = (
  source: string,
  a: Accepted<TradeData>,
  where: string,
): QuarantinedRecord => ({
  source,
  recordIndex: a.index,
  raw: a.raw,
  reasons: [
    violation(
      "UNIQUENESS",
      `trade_id ${a.value.trade_id} appears more than once for client_id ${a.value.client_id} (${where})`,
    ),
  ],
});

/**
 * Each client's first and last trade_id in the batch, if every client's trade_ids
 * strictly increase through it — else undefined. Feeds number their trades in order, so
 * this is the common case, and then no id can repeat inside the batch: no key set is
 * built, and only the first id per client needs comparing with earlier batches.
 */
export const ascendingRanges = (
  batch: ReadonlyArray<Accepted<TradeData>>,
): Map<string, { readonly first: string; last: string }> | undefined => {
  const ranges = new Map<string, { readonly first: string; last: string }>();
  let client: string | undefined;
  let range: { readonly first: string; last: string } | undefined;
  for (let i = 0; i < batch.length; i++) {
    const { client_id, trade_id } = (batch[i] as Accepted<TradeData>).value;
    if (range === undefined || client_id !== client) {
      client = client_id;
      range = ranges.get(client_id);
      if (range === undefined) {
        range = { first: trade_id, last: trade_id };
        ranges.set(client_id, range);
        continue;
      }
    }
    if (trade_id <= range.last) return undefined;
    range.last = trade_id;
  }
  return ranges;
};

/** The first occurrence of each (client_id, trade_id); later ones are rejected. */
export const firstOccurrences = (
  batch: ReadonlyArray<Accepted<TradeData>>,
  rejected: Array<QuarantinedRecord>,
  duplicate: (a: Accepted<TradeData>, where: string) => QuarantinedRecord,
): ReadonlyArray<Accepted<TradeData>> => {
  const firstLine = new Map<string, number>();
  const unique: Array<Accepted<TradeData>> = [];
  for (const a of batch) {
    const key = `${a.value.client_id}\u0000${a.value.trade_id}`;
    const first = firstLine.get(key);
    if (first !== undefined) rejected.push(duplicate(a, `first at line ${first}`));
    else {
      firstLine.set(key, a.index);
      unique.push(a);
    }
  }
  return unique;
};
