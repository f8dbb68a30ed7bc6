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
import * as Effect from "effect/Effect";
import { type AcceptedBatch, filterBatch } from "../../core/ingest/accepted-batch";
import type { DecodeEnv, RecordChecks } from "../../core/ingest/source";
import type { RunContext } from "../../core/model/run-context";
import {
  type AnomalyInput,
  type AnomalyRef,
  recordAnomalies,
  resolveAnomaliesLater,
} from "../../core/store/anomalies";
import type { QuarantinedRecord } from "../../core/store/quarantine";
import type { Db } from "../../db/db";
import type { DatabaseError } from "../../db/errors";
import { type TradeData, tradeDate } from "./schema";
import { keysWrittenBy, pricedPairs } from "./store";
import { ascendingRanges, duplicateTrade, firstOccurrences } from "./uniqueness";

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

    const duplicate = (batch: AcceptedBatch<TradeData>, i: number, where: string) =>
      duplicateTrade(source, batch, i, where);

    /**
     * The batch without repeats of a trade_id, this batch's or an earlier one's (those go to
     * `rejected`). When every trade_id sorts after the largest this run has kept for its
     * client, none can repeat an earlier batch and the lookup in `trades` is skipped; memory
     * stays one entry per client.
     */
    const unrepeated = (
      batch: AcceptedBatch<TradeData>,
      rejected: Array<QuarantinedRecord>,
      earlierWritten: Effect.Effect<void, DatabaseError, Db>,
    ): Effect.Effect<AcceptedBatch<TradeData>, DatabaseError, Db> => {
      const after = (client: string, id: string) => {
        const max = maxKept.get(client);
        return max === undefined || id > max;
      };
      const keep = (kept: AcceptedBatch<TradeData>) => {
        for (const t of kept.values) {
          if (after(t.client_id, t.trade_id)) maxKept.set(t.client_id, t.trade_id);
        }
        return kept;
      };
      const ranges = ascendingRanges(batch.values);
      if (ranges !== undefined && [...ranges].every(([c, r]) => after(c, r.first))) {
        for (const [c, r] of ranges) maxKept.set(c, r.last);
        return Effect.succeed(batch);
      }
      const unique = ranges !== undefined ? batch : firstOccurrences(batch, rejected, duplicate);
      if (unique.values.every((t) => after(t.client_id, t.trade_id))) {
        return Effect.succeed(keep(unique));
      }
      const keys = unique.values.map((t) => [t.client_id, t.trade_id] as const);
      return Effect.zipRight(
        earlierWritten,
        Effect.map(keysWrittenBy(ctx.executionId, keys), (earlier) =>
          keep(
            filterBatch(unique, (i) => {
              const t = unique.values[i] as TradeData;
              const seen = earlier.has(`${t.client_id}\u0000${t.trade_id}`);
              if (seen)
                rejected.push(duplicate(unique, i, "already ingested earlier in this payload"));
              return !seen;
            }),
          ),
        ),
      );
    };

    /** Monotonic timestamps: counts (and samples) trades earlier than the one before. */
    const noteOrder = (kept: AcceptedBatch<TradeData>) => {
      for (let i = 0; i < kept.values.length; i++) {
        const t = kept.values[i] as TradeData;
        if (previous !== undefined && t.timestamp < previous) {
          regressionCount += 1;
          if (regressions.length < SAMPLE) {
            regressions.push({
              line: kept.indexes[i] as number,
              trade_id: t.trade_id,
              timestamp: t.timestamp,
              previous_timestamp: previous,
            });
          }
        }
        previous = t.timestamp;
      }
    };

    /** Each kept trade's New York date, and the (symbol, date) pairs not looked up yet. */
    const unknownPairs = (kept: ReadonlyArray<TradeData>) => {
      const dates = kept.map(tradeDate);
      const unknown = new Map<string, readonly [string, string]>();
      for (let i = 0; i < kept.length; i++) {
        const { symbol } = kept[i] as TradeData;
        const date = dates[i] as string;
        if (priced.get(date)?.has(symbol) !== true) {
          const key = `${symbol}|${date}`;
          if (!unknown.has(key)) unknown.set(key, [symbol, date]);
        }
      }
      return { dates, unknown };
    };

    /** Records the `market_prices` answer for each pair looked up. */
    const notePriced = (
      unknown: ReadonlyMap<string, readonly [string, string]>,
      found: ReadonlySet<string>,
    ) => {
      for (const [key, [symbol, date]] of unknown) {
        const ok = found.has(key);
        const bySymbol = priced.get(date) ?? new Map<string, boolean>();
        priced.set(date, bySymbol);
        bySymbol.set(symbol, ok);
        lookedUp.push([key, ok]);
      }
    };

    /** Counts the trades whose (symbol, date) has no bar, per pair in first-seen order. */
    const noteUnpriced = (kept: AcceptedBatch<TradeData>, dates: ReadonlyArray<string>) => {
      for (let i = 0; i < kept.values.length; i++) {
        const date = dates[i] as string;
        const { symbol } = kept.values[i] as TradeData;
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
            first_line: kept.indexes[i] as number,
          };
          bySymbol.set(symbol, created);
          unpricedOrder.push(created);
        }
      }
    };

    // Every per-trade loop is a plain function, and the steps are chained with combinators,
    // not a generator: a generator frame holding the batch keeps its rows alive into V8's old
    // generation (ARCHITECTURE, step 4).
    const screen = (
      batch: AcceptedBatch<TradeData>,
      earlierWritten: Effect.Effect<void, DatabaseError, Db>,
    ) => {
      const rejected: Array<QuarantinedRecord> = [];
      return Effect.flatMap(
        Effect.suspend(() => unrepeated(batch, rejected, earlierWritten)),
        (kept) => {
          noteOrder(kept);
          const { dates, unknown } = unknownPairs(kept.values);
          // Referential integrity: one `market_prices` lookup per new (symbol, date).
          const lookup =
            unknown.size > 0
              ? Effect.map(pricedPairs([...unknown.values()]), (found) =>
                  notePriced(unknown, found),
                )
              : Effect.void;
          return Effect.map(lookup, () => {
            noteUnpriced(kept, dates);
            return { kept, rejected };
          });
        },
      );
    };

    const finish = Effect.gen(function* () {
      const anomalies: Array<AnomalyInput> = unpricedOrder.map(({ key, ...u }) => ({
        rule: "REFERENTIAL_INTEGRITY",
        severity: "HIGH",
        key,
        message: `${u.trades} trade(s) reference ${u.symbol} on ${u.date}, which has no market data in market_prices`,
        metadata: { source, ...u },
      }));
      if (regressionCount > 0) {
        anomalies.push({
          rule: "MONOTONIC_TIMESTAMPS",
          severity: "MEDIUM",
          key: ORDER_KEY,
          message: `${regressionCount} trade(s) are timestamped before the trade preceding them (kept in payload order)`,
          metadata: { source, regressions: regressionCount, sample: regressions },
        });
      }
      yield* recordAnomalies(ctx, anomalies);
      // What is clean now is resolved with the run's next write.
      const clean: Array<AnomalyRef> = lookedUp
        .filter(([, ok]) => ok)
        .map(([key]) => ({ rule: "REFERENTIAL_INTEGRITY", key }));
      if (regressionCount === 0) clean.push({ rule: "MONOTONIC_TIMESTAMPS", key: ORDER_KEY });
      yield* resolveAnomaliesLater(ctx, clean);
      return {
        anomalies: anomalies.length,
        missing_market_data: unpricedOrder.map((u) => u.key),
        timestamp_regressions: regressionCount,
      };
    });

    return { screen, finish };
  };
