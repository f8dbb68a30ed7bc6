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
import type { Accepted, DecodeEnv, RecordChecks } from "../../core/ingest/source";
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

    const duplicate = (a: Accepted<TradeData>, where: string) => duplicateTrade(source, a, where);

    /**
     * The batch without repeats of a trade_id, this batch's or an earlier one's (those go to
     * `rejected`). When every trade_id sorts after the largest this run has kept for its
     * client, none can repeat an earlier batch and the lookup in `trades` is skipped; memory
     * stays one entry per client.
     */
    const unrepeated = (
      batch: ReadonlyArray<Accepted<TradeData>>,
      rejected: Array<QuarantinedRecord>,
      earlierWritten: Effect.Effect<void, DatabaseError>,
    ): Effect.Effect<ReadonlyArray<Accepted<TradeData>>, DatabaseError, Db> => {
      const after = (client: string, id: string) => {
        const max = maxKept.get(client);
        return max === undefined || id > max;
      };
      const keep = (kept: ReadonlyArray<Accepted<TradeData>>) => {
        for (const a of kept) {
          if (after(a.value.client_id, a.value.trade_id)) {
            maxKept.set(a.value.client_id, a.value.trade_id);
          }
        }
        return kept;
      };
      const ranges = ascendingRanges(batch);
      if (ranges !== undefined && [...ranges].every(([c, r]) => after(c, r.first))) {
        for (const [c, r] of ranges) maxKept.set(c, r.last);
        return Effect.succeed(batch);
      }
      const unique = ranges !== undefined ? batch : firstOccurrences(batch, rejected, duplicate);
      if (unique.every((a) => after(a.value.client_id, a.value.trade_id))) {
        return Effect.succeed(keep(unique));
      }
      const keys = unique.map((a) => [a.value.client_id, a.value.trade_id] as const);
      return Effect.zipRight(
        earlierWritten,
        Effect.map(keysWrittenBy(ctx.executionId, keys), (earlier) =>
          keep(
            unique.filter((a) => {
              const seen = earlier.has(`${a.value.client_id}\u0000${a.value.trade_id}`);
              if (seen) rejected.push(duplicate(a, "already ingested earlier in this payload"));
              return !seen;
            }),
          ),
        ),
      );
    };

    /** Monotonic timestamps: counts (and samples) trades earlier than the one before. */
    const noteOrder = (kept: ReadonlyArray<Accepted<TradeData>>) => {
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
    };

    /** Each kept trade's New York date, and the (symbol, date) pairs not looked up yet. */
    const unknownPairs = (kept: ReadonlyArray<Accepted<TradeData>>) => {
      const dates = kept.map((a) => tradeDate(a.value));
      const unknown = new Map<string, readonly [string, string]>();
      for (let i = 0; i < kept.length; i++) {
        const a = kept[i] as Accepted<TradeData>;
        const date = dates[i] as string;
        if (priced.get(date)?.has(a.value.symbol) !== true) {
          const key = `${a.value.symbol}|${date}`;
          if (!unknown.has(key)) unknown.set(key, [a.value.symbol, date]);
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
    const noteUnpriced = (
      kept: ReadonlyArray<Accepted<TradeData>>,
      dates: ReadonlyArray<string>,
    ) => {
      for (let i = 0; i < kept.length; i++) {
        const a = kept[i] as Accepted<TradeData>;
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
    };

    // Every per-trade loop is a plain function, and the steps are chained with combinators,
    // not a generator: a generator frame holding the batch keeps its rows alive into V8's old
    // generation (ARCHITECTURE, step 4).
    const screen = (
      batch: ReadonlyArray<Accepted<TradeData>>,
      earlierWritten: Effect.Effect<void, DatabaseError>,
    ) => {
      const rejected: Array<QuarantinedRecord> = [];
      return Effect.flatMap(
        Effect.suspend(() => unrepeated(batch, rejected, earlierWritten)),
        (kept) => {
          noteOrder(kept);
          const { dates, unknown } = unknownPairs(kept);
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
