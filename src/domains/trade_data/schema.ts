/**
 * Canonical trade schema (`TradeData`) and its per-record contracts, as seed 004 writes them.
 *
 * trade_id, client_id and venue are required text, trimmed, with no further format (a broker's
 * `NYSE Arca, Inc.` or `Client A` is kept as sent); symbol upper-case, side BUY or SELL
 * exactly, quantity and price positive exact decimals, a zoned timestamp normalised to UTC and
 * not in the future. Completeness is all-or-nothing: a record with any field missing is
 * quarantined whole. A run that knows its partition also checks that the record belongs to it
 * (client and New York trade date). Deviations from the seed: `docs/contracts.md`.
 */
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { newYorkDateOfIso } from "../../calendar/sessions";
import type { SourceHints } from "../../core/ingest/source";
import {
  futureCheck,
  notInFuture,
  oneOfField,
  positiveDecimal,
  positivePrice,
  requiredText,
  symbolField,
  utcTimestampField,
} from "../../core/model/contract-fields";
import {
  contractRowDecoder,
  decodeContract,
  Rejected,
  type RowPlace,
  violation,
} from "../../core/model/contracts";
import type { Decimal } from "../../core/model/decimal";

/** The columns of an execution CSV, in the feed's order. */
export const EXECUTION_CSV_COLUMNS = [
  "trade_id",
  "client_id",
  "symbol",
  "side",
  "quantity",
  "price",
  "timestamp",
  "venue",
] as const;

const TradeDataFields = Schema.Struct({
  trade_id: requiredText("trade_id"),
  client_id: requiredText("client_id"),
  symbol: symbolField(),
  side: oneOfField("side", "SIDE_VALIDITY", ["BUY", "SELL"] as const),
  quantity: positiveDecimal("quantity", "QUANTITY_VALIDITY"),
  price: positivePrice("price"),
  timestamp: utcTimestampField("timestamp"),
  venue: requiredText("venue"),
  source: requiredText("source"),
});

/** One execution. */
export interface TradeData {
  readonly trade_id: string;
  readonly client_id: string;
  readonly symbol: string;
  readonly side: "BUY" | "SELL";
  readonly quantity: Decimal;
  readonly price: Decimal;
  /** ISO-8601 UTC. */
  readonly timestamp: string;
  readonly venue: string;
  readonly source: string;
}

/** The New York calendar date of a trade: the trading date it belongs to. */
export const tradeDate = (trade: TradeData): string => newYorkDateOfIso(trade.timestamp);

/**
 * The checks after the field contracts: not in the future (`future`), and with partition
 * hints (`date` = trading date, `scope` = client id) in that partition. Undefined when all
 * pass.
 */
const partitionProblems = (
  trade: TradeData,
  future: (isoUtc: string) => string | undefined,
  hints: SourceHints,
): ReadonlyArray<string> | undefined => {
  const late = future(trade.timestamp);
  const client =
    hints.scope !== undefined && trade.client_id !== hints.scope
      ? violation(
          "PARTITION_MATCH",
          `client_id ${trade.client_id} is not the partition's client ${hints.scope}`,
        )
      : undefined;
  const date = hints.date === undefined ? undefined : newYorkDateOfIso(trade.timestamp);
  const day =
    date !== undefined && date !== hints.date
      ? violation(
          "PARTITION_MATCH",
          `timestamp ${trade.timestamp} is on New York date ${date}, not the partition's ${hints.date}`,
        )
      : undefined;
  return late === undefined && client === undefined && day === undefined
    ? undefined
    : [late, client, day].filter((p): p is string => p !== undefined);
};

/**
 * Checks one mapped record against every trade contract at `nowMs`; with partition hints
 * (`date` = trading date, `scope` = client id) also that it belongs to that partition.
 */
export const decodeTradeData = (
  raw: unknown,
  nowMs: number,
  hints: SourceHints = {},
): Either.Either<TradeData, ReadonlyArray<string>> =>
  Either.flatMap(decodeContract(TradeDataFields, raw), (fields) => {
    const trade = fields as TradeData;
    const problems = partitionProblems(trade, (iso) => notInFuture("timestamp", iso, nowMs), hints);
    return problems === undefined ? Either.right(trade) : Either.left(problems);
  });

/**
 * `decodeTradeData` over positional rows: `place(key)` says where each `TradeData` key's value
 * is (`contractRowDecoder`). The same results as `decodeTradeData` on the object the row maps
 * to, a `Rejected` for a left.
 */
export const tradeRowDecoder = (
  place: (key: string) => RowPlace,
  nowMs: number,
  hints: SourceHints = {},
) => {
  const contract = contractRowDecoder(TradeDataFields, place);
  const future = futureCheck("timestamp", nowMs);
  return (fields: ReadonlyArray<unknown>, start: number): TradeData | Rejected => {
    const decoded = contract(fields, start);
    if (decoded instanceof Rejected) return decoded;
    const problems = partitionProblems(decoded as TradeData, future, hints);
    return problems === undefined ? (decoded as TradeData) : new Rejected(problems);
  };
};
