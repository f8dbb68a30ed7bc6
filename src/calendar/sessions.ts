/**
 * New York time of day and NYSE sessions: which date it is in New York, and which session
 * has closed by a given instant.
 */
import { addDays, easternMidnightUtcMs, instantMs } from "./dates";
import { earlyClose, isTradingDay, previousTradingDay } from "./nyse";

const HOUR_MS = 3_600_000;
/** Minutes after the close before a daily bar is expected to be final at the source. */
const SETTLE_MINUTES = 30;

interface NewYorkDay {
  readonly date: string;
  /** UTC epoch ms of the day's New York midnight, and of the next day's. */
  readonly start: number;
  readonly end: number;
}
// Consecutive instants almost always fall on the same New York day (a file of trades, a
// batch of quotes): remembering the last day's window skips the calendar arithmetic.
let lastDay: NewYorkDay | undefined;

/** The New York day containing instant `nowMs`: its date and its UTC bounds [start, end). */
const newYorkDay = (nowMs: number): NewYorkDay => {
  if (lastDay !== undefined && nowMs >= lastDay.start && nowMs < lastDay.end) return lastDay;
  const guess = new Date(nowMs - 5 * HOUR_MS).toISOString().slice(0, 10);
  const next = addDays(guess, 1);
  const nextStart = easternMidnightUtcMs(next);
  const date = nextStart <= nowMs ? next : guess;
  const start = date === next ? nextStart : easternMidnightUtcMs(guess);
  lastDay = { start, end: easternMidnightUtcMs(addDays(date, 1)), date };
  return lastDay;
};

// The same window as canonical UTC text (`toISOString` form), for `newYorkDateOfIso`.
let lastIsoDay: { readonly start: string; readonly end: string; readonly date: string } | undefined;

/**
 * The New York calendar date of a canonical UTC timestamp (`YYYY-MM-DDTHH:MM:SS.sssZ`, as
 * `toISOString` writes it). Such text sorts as its instant does, so a timestamp inside the
 * last day's window is answered by two string comparisons, without reading its digits.
 */
export const newYorkDateOfIso = (iso: string): string => {
  if (lastIsoDay !== undefined && iso >= lastIsoDay.start && iso < lastIsoDay.end) {
    return lastIsoDay.date;
  }
  const day = newYorkDay(instantMs(iso));
  lastIsoDay = {
    start: new Date(day.start).toISOString(),
    end: new Date(day.end).toISOString(),
    date: day.date,
  };
  return day.date;
};

/** The New York calendar date at instant `nowMs`. */
export const newYorkDate = (nowMs: number): string => newYorkDay(nowMs).date;

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
