/**
 * A canonical table's upsert read from its drizzle declaration: the same columns, key and
 * statement the stores wrote out by hand before, the tuple in the table's column order, and a
 * table the writer cannot serve refused when the writer is built.
 */
import { primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { bulkUpsertSql, CAPTURE_COLUMNS } from "../../src/db/bulk-upsert";
import { captureColumns } from "../../src/db/schema/capture-columns";
import { tableWriter } from "../../src/db/table-writer";
import { MARKET_PRICES } from "../../src/domains/market_data/store";
import { TRADES } from "../../src/domains/trade_data/store";

describe("tableWriter", () => {
  it("reads market_prices' columns, key and capture columns from its declaration", () => {
    expect(MARKET_PRICES.spec).toEqual({
      table: "market_prices",
      columns: [
        "symbol",
        "trading_date",
        "source",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "vwap",
        "trade_count",
        "bar_start",
      ],
      key: ["symbol", "trading_date", "source"],
      shared: CAPTURE_COLUMNS,
    });
  });

  it("writes a trade's values in the table's column order, executed_at from its timestamp", () => {
    expect(TRADES.spec.key).toEqual(["client_id", "trade_id"]);
    expect(bulkUpsertSql(TRADES.spec)).toContain(
      "INSERT INTO trades (client_id, trade_id, symbol, side, quantity, price, executed_at, venue, source, capture_id, captured_at, execution_id, batch_id)",
    );
    const trade = {
      trade_id: "T1",
      client_id: "C",
      symbol: "AAPL",
      side: "BUY",
      quantity: "10",
      price: "1.5",
      timestamp: "2025-01-02T15:00:00.000Z",
      venue: "XNAS",
      source: "execution_csv",
    } as Parameters<typeof TRADES.tuple>[0];
    expect(TRADES.tuple(trade, undefined)).toEqual([
      "C",
      "T1",
      "AAPL",
      "BUY",
      "10",
      "1.5",
      "2025-01-02T15:00:00.000Z",
      "XNAS",
      "execution_csv",
    ]);
  });

  it("refuses a table without a primary key or without the capture columns", () => {
    const keyless = sqliteTable("keyless", { a: text("a").notNull(), ...captureColumns });
    expect(() => tableWriter(keyless, { a: (r: { a: string }) => r.a })).toThrow(
      "keyless: a canonical table has one primary key",
    );
    const uncaptured = sqliteTable("uncaptured", { a: text("a").notNull() }, (t) => [
      primaryKey({ columns: [t.a] }),
    ]);
    expect(() => tableWriter(uncaptured, { a: (r: { a: string }) => r.a })).toThrow(
      "uncaptured: a canonical table declares the four capture columns, in order",
    );
  });
});
