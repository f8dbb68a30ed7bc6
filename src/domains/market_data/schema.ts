/**
 * Canonical market-data schemas and their contracts.
 *
 * - `MarketData`: one price observation (symbol, price, timestamp, volume, source).
 * - `DailyBar`: one daily OHLCV bar (the `market_prices` row without audit columns).
 */
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { easternMidnightUtcMs } from "../../calendar/dates";
import {
  isoDateField,
  nonNegativeInteger,
  notInFuture,
  positivePrice,
  requiredText,
  symbolField,
  utcTimestampField,
} from "../../core/model/contract-fields";
import { decodeContract, violation } from "../../core/model/contracts";
import { compareDecimal, type Decimal } from "../../core/model/decimal";

/** One price observation. */
export const MarketData = Schema.Struct({
  symbol: symbolField(),
  price: positivePrice("price"),
  timestamp: utcTimestampField("timestamp"),
  volume: nonNegativeInteger("volume"),
  source: requiredText("source"),
});
export type MarketData = {
  readonly symbol: string;
  readonly price: Decimal;
  readonly timestamp: string;
  readonly volume: number;
  readonly source: string;
};

const optional = <S extends Schema.Schema.Any>(schema: S) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null });

/** The fields of a daily bar, each with its contract. */
const DailyBarFields = Schema.Struct({
  symbol: symbolField(),
  trading_date: isoDateField("trading_date"),
  open: positivePrice("open"),
  high: positivePrice("high"),
  low: positivePrice("low"),
  close: positivePrice("close"),
  volume: nonNegativeInteger("volume"),
  vwap: optional(positivePrice("vwap")),
  trade_count: optional(nonNegativeInteger("trade_count", "COUNT_VALIDITY")),
  bar_start: utcTimestampField("bar_start"),
  source: requiredText("source"),
});

export interface DailyBar {
  readonly symbol: string;
  readonly trading_date: string;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: number;
  readonly vwap: Decimal | null;
  readonly trade_count: number | null;
  readonly bar_start: string;
  readonly source: string;
}

/** OHLC_CONSISTENCY: low ≤ open, close ≤ high, and vwap within [low, high]. */
const ohlcViolations = (bar: DailyBar): ReadonlyArray<string> => {
  const out: Array<string> = [];
  if (compareDecimal(bar.low, bar.high) > 0) {
    out.push(violation("OHLC_CONSISTENCY", `low ${bar.low} is above high ${bar.high}`));
  }
  for (const field of ["open", "close"] as const) {
    const value = bar[field];
    if (compareDecimal(value, bar.low) < 0 || compareDecimal(value, bar.high) > 0) {
      out.push(
        violation(
          "OHLC_CONSISTENCY",
          `${field} ${value} is outside [low ${bar.low}, high ${bar.high}]`,
        ),
      );
    }
  }
  if (
    bar.vwap !== null &&
    (compareDecimal(bar.vwap, bar.low) < 0 || compareDecimal(bar.vwap, bar.high) > 0)
  ) {
    out.push(
      violation(
        "OHLC_CONSISTENCY",
        `vwap ${bar.vwap} is outside [low ${bar.low}, high ${bar.high}]`,
      ),
    );
  }
  return out;
};

/** Polygon stamps a daily bar at 00:00 New York time of its trading date. */
const barDateViolation = (bar: DailyBar): string | undefined =>
  Date.parse(bar.bar_start) === easternMidnightUtcMs(bar.trading_date)
    ? undefined
    : violation(
        "TIMESTAMP_VALIDITY",
        `bar_start ${bar.bar_start} is not 00:00 New York time of trading_date ${bar.trading_date}`,
      );

/**
 * Checks a mapped record against every daily-bar contract at `nowMs`.
 * Returns the canonical bar, or every violated contract.
 */
export const decodeDailyBar = (
  mapped: unknown,
  nowMs: number,
): Either.Either<DailyBar, ReadonlyArray<string>> =>
  Either.flatMap(decodeContract(DailyBarFields, mapped), (fields) => {
    const bar = fields as DailyBar;
    const problems = [
      ...ohlcViolations(bar),
      barDateViolation(bar),
      notInFuture("bar_start", bar.bar_start, nowMs),
    ].filter((p): p is string => p !== undefined);
    return problems.length === 0 ? Either.right(bar) : Either.left(problems);
  });

/** Checks one price observation against every market-data contract at `nowMs`. */
export const decodeMarketData = (
  raw: unknown,
  nowMs: number,
): Either.Either<MarketData, ReadonlyArray<string>> =>
  Either.flatMap(decodeContract(MarketData, raw), (fields) => {
    const data = fields as MarketData;
    const future = notInFuture("timestamp", data.timestamp, nowMs);
    return future === undefined ? Either.right(data) : Either.left([future]);
  });
