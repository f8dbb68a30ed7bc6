/**
 * Trade data: executions, one row per trade.
 */
import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { captureColumns } from "./capture-columns";

/** Executions, one row per trade, unique per client (`trade_id` within `client_id`). */
export const trades = sqliteTable(
  "trades",
  {
    clientId: text("client_id").notNull(),
    tradeId: text("trade_id").notNull(),
    symbol: text("symbol").notNull(),
    side: text("side").notNull(),
    quantity: text("quantity").notNull(),
    price: text("price").notNull(),
    executedAt: text("executed_at").notNull(),
    venue: text("venue").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.clientId, t.tradeId] }),
    index("trades_symbol_time_idx").on(t.symbol, t.executedAt),
  ],
);
