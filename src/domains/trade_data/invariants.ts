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
    /** (symbol|date) → whether `market_prices` has it; bounded by distinct symbols × dates. */
    const priced = new Map<string, boolean>();
    const unpriced = new Map<
      string,
      { symbol: string; date: string; trades: number; first_line: number }
    >();

    const duplicate = (a: Accepted<TradeData>, where: string): QuarantinedRecord => ({
      source,
      recordIndex: a.record.index,
      raw: a.record.raw,
      reasons: [
        violation(
          "UNIQUENESS",
          `trade_id ${a.value.trade_id} appears more than once for client_id ${a.value.client_id} (${where})`,
        ),
      ],
    });

    const screen = (batch: ReadonlyArray<Accepted<TradeData>>) =>
      Effect.gen(function* () {
        const rejected: Array<QuarantinedRecord> = [];
        const firstLine = new Map<string, number>();
        const unique: Array<Accepted<TradeData>> = [];
        for (const a of batch) {
          const key = `${a.value.client_id}\u0000${a.value.trade_id}`;
          const first = firstLine.get(key);
          if (first !== undefined) rejected.push(duplicate(a, `first at line ${first}`));
          else {
            firstLine.set(key, a.record.index);
            unique.push(a);
          }
        }
        // Feeds number their trades in order: when every trade_id of the batch sorts after
        // the largest this run has kept for its client, none can repeat an earlier batch and
        // the lookup in `trades` is skipped. Memory stays one entry per client.
        const fresh = unique.every((a) => {
          const max = maxKept.get(a.value.client_id);
          return max === undefined || a.value.trade_id > max;
        });
        const earlier = fresh
          ? new Set<string>()
          : yield* keysWrittenBy(
              ctx.executionId,
              unique.map((a) => [a.value.client_id, a.value.trade_id] as const),
            );
        const kept = unique.filter((a) => {
          const seen = earlier.has(`${a.value.client_id}\u0000${a.value.trade_id}`);
          if (seen) rejected.push(duplicate(a, "already ingested earlier in this payload"));
          return !seen;
        });
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
                line: a.record.index,
                trade_id: a.value.trade_id,
                timestamp: a.value.timestamp,
                previous_timestamp: previous,
              });
            }
          }
          previous = a.value.timestamp;
        }

        const keys = kept.map((a) => `${a.value.symbol}|${tradeDate(a.value)}`);
        const unknown = new Map<string, readonly [string, string]>();
        for (const key of keys) {
          if (!priced.has(key) && !unknown.has(key)) {
            const bar = key.indexOf("|");
            unknown.set(key, [key.slice(0, bar), key.slice(bar + 1)]);
          }
        }
        if (unknown.size > 0) {
          const found = yield* pricedPairs([...unknown.values()]);
          for (const key of unknown.keys()) priced.set(key, found.has(key));
        }
        for (const [i, a] of kept.entries()) {
          const key = keys[i] ?? "";
          if (priced.get(key) === true) continue;
          const bar = key.indexOf("|");
          const symbol = key.slice(0, bar);
          const date = key.slice(bar + 1);
          const entry = unpriced.get(key) ?? {
            symbol,
            date,
            trades: 0,
            first_line: a.record.index,
          };
          unpriced.set(key, { ...entry, trades: entry.trades + 1 });
        }
        return { kept, rejected };
      });

    const finish = Effect.gen(function* () {
      const anomalies: Array<AnomalyInput> = [...unpriced.entries()].map(([key, u]) => ({
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
      const pricedKeys = [...priced.entries()].filter(([, ok]) => ok).map(([k]) => k);
      yield* resolveAnomalies(ctx, "REFERENTIAL_INTEGRITY", pricedKeys);
      if (regressionCount === 0) yield* resolveAnomalies(ctx, "MONOTONIC_TIMESTAMPS", [ORDER_KEY]);
      return {
        anomalies: anomalies.length,
        missing_market_data: [...unpriced.keys()],
        timestamp_regressions: regressionCount,
      };
    });

    return { screen, finish };
  };
