/**
 * A deterministic execution CSV for benchmarks: `rows` valid trades of one client on one day,
 * monotonic timestamps, demo symbols, plausible prices. Written as a stream (bounded memory).
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { UNIVERSES } from "../src/domains/market_data/universes";

export const BENCH_DATE = "2025-01-02";
export const BENCH_CLIENT = "CLIENT_A";
const SYMBOLS = UNIVERSES.demo ?? [];
const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue\n";
const VENUES = ["XNYS", "XNAS", "ARCX", "BATS", "IEXG"];
const SESSION_START_MS = Date.parse(`${BENCH_DATE}T14:30:00Z`);

/** Canonical fields of row `i`: the same values the CSV line carries. */
export const tradeRow = (i: number) => {
  const symbol = SYMBOLS[i % SYMBOLS.length] ?? "AAPL";
  const cents = 10_000 + ((i * 7919) % 40_000);
  return {
    trade_id: `T${String(i).padStart(9, "0")}`,
    client_id: BENCH_CLIENT,
    symbol,
    side: i % 3 === 0 ? "SELL" : "BUY",
    quantity: String(1 + ((i * 31) % 5_000)),
    price: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`,
    // 1 ms apart keeps 23.4 M trades inside one session, strictly increasing.
    timestamp: new Date(SESSION_START_MS + i).toISOString(),
    venue: VENUES[i % VENUES.length] ?? "XNYS",
  };
};

const line = (i: number) => {
  const r = tradeRow(i);
  return `${r.trade_id},${r.client_id},${r.symbol},${r.side},${r.quantity},${r.price},${r.timestamp},${r.venue}\n`;
};

/** Writes `rows` trades to `path`; returns the file size in bytes. */
export const writeTradesCsv = async (path: string, rows: number): Promise<number> => {
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  };
  await write(HEADER);
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  out.end();
  await once(out, "finish");
  return bytes;
};

/** Rows needed for a file of about `bytes` bytes. */
export const rowsForBytes = (bytes: number): number =>
  Math.ceil(bytes / Buffer.byteLength(line(1_000_000)));
