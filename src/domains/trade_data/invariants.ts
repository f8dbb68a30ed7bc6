/**
 * Trade invariants across records, for one ingestion:
 *
 * - uniqueness: `trade_id` within `client_id`. A repeat is quarantined (`UNIQUENESS: …`), the
 *   first occurrence is kept. Repeats inside a write batch are caught in memory; repeats of an
 *   earlier batch by asking `trades` what this execution already wrote — so memory stays one
 *   batch however large the payload (a re-ingest is a new execution: an update, not a repeat).
 * - monotonic timestamps: a trade earlier than the one before it is an anomaly
 *   (`MONOTONIC_TIMESTAMPS`), never reordered and never rejected.
 * - referential integrity: every (symbol, New York trade date) needs a bar in `market_prices`;
 *   a missing one is an anomaly (`REFERENTIAL_INTEGRITY`) and the trades are still written.
 *
 * Anomalies are written once at the end, with deterministic ids (one row per missing symbol
 * and date, one per partition for timestamp order); ones a later run no longer sees are
 * resolved.
 */
import { Effect } from "effect";
import { violation } from "../../core/contracts";
import type { DatabaseError } from "../../core/errors";
import type { RunContext } from "../../core/pipeline";
import type { QuarantinedRecord } from "../../core/quarantine";
import type { Accepted, DecodeEnv, RecordChecks } from "../../core/sources";
import { type AnomalyInput, recordAnomalies, resolveAnomalies } from "../../core/sources-anomalies";
import { type TradeData, tradeDate } from "./schema";
import { keysWrittenBy, pricedPairs } from "./store";

const SAMPLE = 20;
const ORDER_KEY = "timestamps";

interface Regression {
  readonly line: number;
  readonly trade_id: string;
  readonly timestamp: string;
  readonly previous_timestamp: string;
}

/** The cross-record checks of one trade ingestion (`source` names the quarantine rows). */
export const tradeChecks =
  (source: string) =>
  (ctx: RunContext, _env: DecodeEnv): RecordChecks<TradeData> => {
    let previous: string | undefined;
    let regressionCount = 0;
    /** client_id → the largest trade_id kept so far (see `screen`). */
    const maxKept = new Map<string, string>();
    const regressions: Array<Regression> = [];
    /**
     * New York date → symbol → whether `market_prices` has that bar; bounded by distinct
     * symbols × dates. Two levels, so the per-trade lookup builds no key string.
     */
    const priced = new Map<string, Map<string, boolean>>();
    /** Every (symbol, date) looked up, in first-seen order: `symbol|date` and the answer. */
    const lookedUp: Array<readonly [string, boolean]> = [];
    interface Unpriced {
      readonly key: string;
      readonly symbol: string;
      readonly date: string;
      trades: number;
      readonly first_line: number;
    }
    const unpriced = new Map<string, Map<string, Unpriced>>();
    const unpricedOrder: Array<Unpriced> = [];

    const duplicate = (a: Accepted<TradeData>, where: string): QuarantinedRecord => ({
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
     * Whether each client's trade_ids strictly increase through the batch. Feeds number
     * their trades in order, so this is the common case, and then no id can repeat inside
     * the batch: no key set is built.
     */
    const ascending = (batch: ReadonlyArray<Accepted<TradeData>>): boolean => {
      let client: string | undefined;
      let last = "";
      let others: Map<string, string> | undefined;
      for (const a of batch) {
        const { client_id, trade_id } = a.value;
        if (client_id !== client) {
          if (client !== undefined) {
            others ??= new Map();
            others.set(client, last);
          }
          const before = others?.get(client_id);
          if (before !== undefined && trade_id <= before) return false;
          client = client_id;
        } else if (trade_id <= last) return false;
        last = trade_id;
      }
      return true;
    };

    /** The first occurrence of each (client_id, trade_id); later ones are rejected. */
    const firstOccurrences = (
      batch: ReadonlyArray<Accepted<TradeData>>,
      rejected: Array<QuarantinedRecord>,
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

    const screen = (
      batch: ReadonlyArray<Accepted<TradeData>>,
      earlierWritten: Effect.Effect<void, DatabaseError>,
    ) =>
      Effect.gen(function* () {
        const rejected: Array<QuarantinedRecord> = [];
        const unique = ascending(batch) ? batch : firstOccurrences(batch, rejected);
        // When every trade_id of the batch sorts after the largest this run has kept for its
        // client, none can repeat an earlier batch and the lookup in `trades` is skipped.
        // Memory stays one entry per client.
        const fresh = unique.every((a) => {
          const max = maxKept.get(a.value.client_id);
          return max === undefined || a.value.trade_id > max;
        });
        let kept = unique;
        if (!fresh) {
          yield* earlierWritten;
          const earlier = yield* keysWrittenBy(
            ctx.executionId,
            unique.map((a) => [a.value.client_id, a.value.trade_id] as const),
          );
          kept = unique.filter((a) => {
            const seen = earlier.has(`${a.value.client_id}\u0000${a.value.trade_id}`);
            if (seen) rejected.push(duplicate(a, "already ingested earlier in this payload"));
            return !seen;
          });
        }
        for (const a of kept) {
          const max = maxKept.get(a.value.client_id);
          if (max === undefined || a.value.trade_id > max) {
            maxKept.set(a.value.client_id, a.value.trade_id);
          }
        }

        for (const a of kept) {
          if (previous !== undefined && a.value.timestamp < previous) {
            regressionCount += 1;
            if (regressions.length < SAMPLE) {
              regressions.push({
                line: a.index,
                trade_id: a.value.trade_id,
                timestamp: a.value.timestamp,
                previous_timestamp: previous,
              });
            }
          }
          previous = a.value.timestamp;
        }

        // Referential integrity: one `market_prices` lookup per new (symbol, date).
        const dates = kept.map((a) => tradeDate(a.value));
        const unknown = new Map<string, readonly [string, string]>();
        for (const [i, a] of kept.entries()) {
          const date = dates[i] as string;
          if (priced.get(date)?.has(a.value.symbol) !== true) {
            const key = `${a.value.symbol}|${date}`;
            if (!unknown.has(key)) unknown.set(key, [a.value.symbol, date]);
          }
        }
        if (unknown.size > 0) {
          const found = yield* pricedPairs([...unknown.values()]);
          for (const [key, [symbol, date]] of unknown) {
            const ok = found.has(key);
            const bySymbol = priced.get(date) ?? new Map<string, boolean>();
            priced.set(date, bySymbol);
            bySymbol.set(symbol, ok);
            lookedUp.push([key, ok]);
          }
        }
        for (const [i, a] of kept.entries()) {
          const date = dates[i] as string;
          const { symbol } = a.value;
          if (priced.get(date)?.get(symbol) === true) continue;
          let bySymbol = unpriced.get(date);
          if (bySymbol === undefined) {
            bySymbol = new Map();
            unpriced.set(date, bySymbol);
          }
          const entry = bySymbol.get(symbol);
          if (entry !== undefined) entry.trades += 1;
          else {
            const created = {
              key: `${symbol}|${date}`,
              symbol,
              date,
              trades: 1,
              first_line: a.index,
            };
            bySymbol.set(symbol, created);
            unpricedOrder.push(created);
          }
        }
        return { kept, rejected };
      });

    const finish = Effect.gen(function* () {
      const anomalies: Array<AnomalyInput> = unpricedOrder.map(({ key, ...u }) => ({
        category: "REFERENTIAL_INTEGRITY",
        severity: "HIGH",
        key,
        message: `${u.trades} trade(s) reference ${u.symbol} on ${u.date}, which has no market data in market_prices`,
        metadata: { source, ...u },
      }));
      if (regressionCount > 0) {
        anomalies.push({
          category: "MONOTONIC_TIMESTAMPS",
          severity: "MEDIUM",
          key: ORDER_KEY,
          message: `${regressionCount} trade(s) are timestamped before the trade preceding them (kept in payload order)`,
          metadata: { source, regressions: regressionCount, sample: regressions },
        });
      }
      yield* recordAnomalies(ctx, anomalies);
      const pricedKeys = lookedUp.filter(([, ok]) => ok).map(([k]) => k);
      yield* resolveAnomalies(ctx, "REFERENTIAL_INTEGRITY", pricedKeys);
      if (regressionCount === 0) yield* resolveAnomalies(ctx, "MONOTONIC_TIMESTAMPS", [ORDER_KEY]);
      return {
        anomalies: anomalies.length,
        missing_market_data: unpricedOrder.map((u) => u.key),
        timestamp_regressions: regressionCount,
      };
    });

    return { screen, finish };
  };
