/**
 * Uniqueness of `trade_id` within `client_id` inside one write batch: the repeat's quarantine
 * record, the cheap check for batches numbered in order, and the first occurrences otherwise.
 * `invariants.ts` adds the check against earlier batches.
 */
import { type AcceptedBatch, filterBatch } from "../../core/ingest/accepted-batch";
import { violation } from "../../core/model/contracts";
import type { QuarantinedRecord } from "../../core/store/quarantine";
import type { TradeData } from "./schema";

/**
 * Record `i` of the batch, a repeated trade, quarantined under UNIQUENESS; `where` says where
 * it was seen first.
 */
export const duplicateTrade = (
  source: string,
  batch: AcceptedBatch<TradeData>,
  i: number,
  where: string,
): QuarantinedRecord => {
  const trade = batch.values[i] as TradeData;
  return {
    source,
    recordIndex: batch.indexes[i] as number,
    raw: batch.raws[i] as string,
    reasons: [
      violation(
        "UNIQUENESS",
        `trade_id ${trade.trade_id} appears more than once for client_id ${trade.client_id} (${where})`,
      ),
    ],
  };
};

/**
 * Each client's first and last trade_id in the batch, if every client's trade_ids
 * strictly increase through it — else undefined. Feeds number their trades in order, so
 * this is the common case, and then no id can repeat inside the batch: no key set is
 * built, and only the first id per client needs comparing with earlier batches.
 */
export const ascendingRanges = (
  trades: ReadonlyArray<TradeData>,
): Map<string, { readonly first: string; last: string }> | undefined => {
  const ranges = new Map<string, { readonly first: string; last: string }>();
  let client: string | undefined;
  let range: { readonly first: string; last: string } | undefined;
  for (let i = 0; i < trades.length; i++) {
    const { client_id, trade_id } = trades[i] as TradeData;
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
  batch: AcceptedBatch<TradeData>,
  rejected: Array<QuarantinedRecord>,
  duplicate: (batch: AcceptedBatch<TradeData>, i: number, where: string) => QuarantinedRecord,
): AcceptedBatch<TradeData> => {
  const firstLine = new Map<string, number>();
  return filterBatch(batch, (i) => {
    const trade = batch.values[i] as TradeData;
    const key = `${trade.client_id}\u0000${trade.trade_id}`;
    const first = firstLine.get(key);
    if (first !== undefined) {
      rejected.push(duplicate(batch, i, `first at line ${first}`));
      return false;
    }
    firstLine.set(key, batch.indexes[i] as number);
    return true;
  });
};
