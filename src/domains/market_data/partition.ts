/**
 * Partition keys of market-data pipelines: `YYYY-MM-DD|<universe>`.
 */
import { Either } from "effect";
import { addDays, easternMidnightUtcMs } from "../../calendar/dates";
import { earlyClose, isTradingDay, parseIsoDate, previousTradingDay } from "../../calendar/nyse";
import { InvalidPartitionKey } from "../../core/errors";
import { PartitionKey } from "../../core/ids";
import { universeSymbols } from "./universes";

export interface DateUniversePartition {
  readonly date: string;
  readonly universe: string;
  readonly symbols: ReadonlyArray<string>;
}

/** Formats a partition key. */
export const formatPartition = (date: string, universe: string): PartitionKey =>
  PartitionKey.make(`${date}|${universe}`);

/** Parses `YYYY-MM-DD|<universe>`, checking the date is real and the universe exists. */
export const parseDateUniverse = (
  pipeline: string,
  key: string,
): Either.Either<DateUniversePartition, InvalidPartitionKey> => {
  const fail = (message: string) =>
    Either.left(new InvalidPartitionKey({ pipeline, partition: key, message }));
  const [datePart, universe, ...rest] = key.split("|");
  if (datePart === undefined || universe === undefined || rest.length > 0) {
    return fail(`partition must be "YYYY-MM-DD|<universe>", e.g. "2025-01-02|demo", got "${key}"`);
  }
  const date = parseIsoDate(datePart);
  if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
  const symbols = universeSymbols(universe);
  if (symbols === undefined) return fail(`unknown universe "${universe}"`);
  return Either.right({ date, universe, symbols });
};

const HOUR_MS = 3_600_000;
/** Minutes after the close before a daily bar is expected to be final at the source. */
const SETTLE_MINUTES = 30;

// Consecutive instants almost always fall on the same New York day (a file of trades, a
// batch of quotes): remembering the last day's window skips the calendar arithmetic.
let lastDay: { readonly start: number; readonly end: number; readonly date: string } | undefined;

/** The New York calendar date at instant `nowMs`. */
export const newYorkDate = (nowMs: number): string => {
  if (lastDay !== undefined && nowMs >= lastDay.start && nowMs < lastDay.end) return lastDay.date;
  const guess = new Date(nowMs - 5 * HOUR_MS).toISOString().slice(0, 10);
  const next = addDays(guess, 1);
  const nextStart = easternMidnightUtcMs(next);
  const date = nextStart <= nowMs ? next : guess;
  const start = date === next ? nextStart : easternMidnightUtcMs(guess);
  lastDay = { start, end: easternMidnightUtcMs(addDays(date, 1)), date };
  return date;
};

/**
 * The latest trading day whose session has closed (16:00 New York, 13:00 on early-close
 * days) and settled by `nowMs`: the partition live ingestion brings up to date.
 */
export const latestClosedTradingDay = (nowMs: number): string => {
  const today = newYorkDate(nowMs);
  if (isTradingDay(today)) {
    const closeHour = earlyClose(today) ? 13 : 16;
    const closedAt = easternMidnightUtcMs(today) + closeHour * HOUR_MS + SETTLE_MINUTES * 60_000;
    if (nowMs >= closedAt) return today;
  }
  return previousTradingDay(today);
};
