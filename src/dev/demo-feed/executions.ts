/**
 * Deterministic demo executions: `GET /v1/executions/{YYYY-MM-DD}/{client_id}.csv` on the demo
 * feed answers the execution CSV `trade_data.ingest_trades` reads.
 *
 * Every (client, date) gives the same trades in every process: 20–60 executions on symbols of
 * the demo universe, at prices inside that day's demo bar [low, high], with strictly rising
 * timestamps inside the NYSE session (09:30–16:00 New York, 13:00 on early-close days).
 * Closed days answer the header only. Web-standard only.
 */
import { easternMidnightUtcMs } from "../../calendar/dates";
import { earlyClose, isTradingDay, parseIsoDate } from "../../calendar/nyse";
import { UNIVERSES } from "../../domains/market_data/universes";
import { partitionClientProblem } from "../../domains/trade_data/partition";
import { EXECUTION_CSV_COLUMNS } from "../../domains/trade_data/schema";
import { demoDailyBar } from "./bars";
import { Draws, hashString } from "./random";

/** Clients the demo feed is documented with (any client id a partition key can hold works). */
export const DEMO_CLIENTS: ReadonlyArray<string> = ["CLIENT_A", "CLIENT_B"];

const VENUES = ["XNYS", "XNAS", "ARCX", "BATS", "IEXG", "EDGX"] as const;
const PATH = /^\/v1\/executions\/([^/]+)\/([^/]+)\.csv$/;
const HOUR_MS = 3_600_000;

/** One demo execution, as the CSV carries it. */
export interface DemoExecution {
  readonly trade_id: string;
  readonly client_id: string;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly quantity: number;
  readonly price: string;
  readonly timestamp: string;
  readonly venue: string;
}

const cents = (p: number) => (p >= 1 ? Math.round(p * 100) / 100 : Math.round(p * 10_000) / 10_000);

/** The demo executions of `clientId` on `date` (none on closed days). */
export function demoExecutions(date: string, clientId: string): ReadonlyArray<DemoExecution> {
  if (parseIsoDate(date) === undefined || !isTradingDay(date)) return [];
  const symbols = UNIVERSES.demo ?? [];
  const d = new Draws(hashString(`${clientId}|${date}`, 0xe7ec), 0, 11);
  const count = 20 + Math.floor(d.uniform() * 41);
  const open = easternMidnightUtcMs(date) + 9.5 * HOUR_MS;
  const close = easternMidnightUtcMs(date) + (earlyClose(date) ? 13 : 16) * HOUR_MS;
  // Sorted draws, then nudged apart so timestamps strictly rise (same-ms trades happen in real
  // feeds, but the demo shows the clean case; tests build the unclean ones).
  const times = Array.from(
    { length: count },
    () => open + Math.floor(d.uniform() * (close - open)),
  );
  times.sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) {
    times[i] = Math.max(times[i] ?? 0, (times[i - 1] ?? 0) + 1);
  }
  const day = date.replaceAll("-", "");
  return times.map((at, i): DemoExecution => {
    const symbol = symbols[Math.floor(d.uniform() * symbols.length)] ?? "AAPL";
    const bar = demoDailyBar(symbol, date);
    const low = bar?.l ?? 1;
    const high = bar?.h ?? 1;
    const price = Math.min(high, Math.max(low, cents(low + d.uniform() * (high - low))));
    const lots = 1 + Math.floor(d.uniform() * 50);
    return {
      trade_id: `${clientId}-${day}-${String(i + 1).padStart(5, "0")}`,
      client_id: clientId,
      symbol,
      side: d.uniform() < 0.5 ? "BUY" : "SELL",
      quantity: d.uniform() < 0.1 ? 1 + Math.floor(d.uniform() * 99) : lots * 100,
      price: String(price),
      timestamp: new Date(at).toISOString(),
      venue: VENUES[Math.floor(d.uniform() * VENUES.length)] ?? "XNYS",
    };
  });
}

/** A CSV field, quoted when it holds a comma, a quote or a line break. */
const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

/** The execution CSV (header + one line per execution, `\n` line ends). */
export function demoExecutionsCsv(date: string, clientId: string): string {
  const lines = demoExecutions(date, clientId).map((e) =>
    EXECUTION_CSV_COLUMNS.map((c) => csvField(String(e[c]))).join(","),
  );
  return `${[EXECUTION_CSV_COLUMNS.join(","), ...lines].join("\n")}\n`;
}

/**
 * Answers `GET /v1/executions/{date}/{client_id}.csv`; `undefined` for any other path so the
 * demo feed's other routes can answer.
 */
export function handleDemoExecutions(url: URL): Response | undefined {
  const match = PATH.exec(url.pathname);
  if (match === null) return undefined;
  const date = parseIsoDate(match[1] ?? "");
  let client: string;
  try {
    client = decodeURIComponent(match[2] ?? "");
  } catch {
    client = "";
  }
  if (date === undefined || partitionClientProblem(client) !== undefined) {
    return new Response(
      JSON.stringify({ status: "ERROR", error: "use /v1/executions/YYYY-MM-DD/<client_id>.csv" }),
      { status: 400, headers: { "content-type": "application/json" } },
    );
  }
  return new Response(demoExecutionsCsv(date, client), {
    status: 200,
    headers: { "content-type": "text/csv; charset=utf-8" },
  });
}
