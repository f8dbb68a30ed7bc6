/**
 * `execution_csv`: the execution feed's CSV (`trade_id,client_id,symbol,side,quantity,price,
 * timestamp,venue`, header required, any column order) → `TradeData` → `trades`, with the
 * trade invariants (`./invariants`) and the detection of `trades` (`./detection`).
 */
import type { SourceDefinition } from "../../core/ingest/source";
import { defineSource } from "../../core/ingest/source-run";
import { tradeTableDetection } from "./detection";
import { tradeChecks } from "./invariants";
import { decodeTradeData, EXECUTION_CSV_COLUMNS, type TradeData, tradeRowDecoder } from "./schema";
import { TRADES, upsertTrades } from "./store";

/** Source name, stored in `trades.source`. */
export const EXECUTION_CSV_SOURCE = "execution_csv";

/** The typed definition of `execution_csv` (replay mode decodes with it). */
export const EXECUTION_CSV_DEFINITION = {
  name: EXECUTION_CSV_SOURCE,
  domain: "trade_data",
  description: "Execution feed CSV into trades",
  target: "trades",
  parser: { format: "csv", delimiter: ",", columns: EXECUTION_CSV_COLUMNS },
  decode: (record, env) =>
    decodeTradeData({ ...record.fields, source: EXECUTION_CSV_SOURCE }, env.nowMs, env.hints),
  // The same as `decode`: the row's columns where the header put them, `source` fixed.
  decodeRow: (layout, env) =>
    tradeRowDecoder(
      (key) =>
        key === "source"
          ? { value: EXECUTION_CSV_SOURCE }
          : (layout.positions.get(key) ?? { value: undefined }),
      env.nowMs,
      env.hints,
    ),
  checks: tradeChecks(EXECUTION_CSV_SOURCE),
  write: upsertTrades,
  buffered: {
    add: (into, rows) => TRADES.add(into, rows, undefined),
    write: (buffer, ctx) => TRADES.writeBuffer(buffer, ctx),
  },
  detection: tradeTableDetection,
} satisfies SourceDefinition<TradeData>;

/** The `execution_csv` source. */
export const executionCsvSource = defineSource(EXECUTION_CSV_DEFINITION);
