/**
 * Date ranges of backfills and replays: an inclusive range of real calendar dates, at most
 * `MAX_BACKFILL_DAYS` long, ending no later than today in New York.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import {
  daysBetween,
  fromDayNumber,
  type IsoDate,
  parseIsoDate,
  toDayNumber,
} from "../../calendar/dates";
import { newYorkDate } from "../../calendar/sessions";
import { InvalidBackfillRange } from "./errors";

/** Longest backfill, in calendar days (five years and then some, leap days included). */
export const MAX_BACKFILL_DAYS = 1_830;

/** Pipeline-specific backfill parameters, e.g. `{ universe: "demo" }`. */
export type BackfillParams = Readonly<Record<string, string>>;

/** An inclusive range of calendar dates, `start ≤ end`. */
export interface DateRange {
  readonly start: IsoDate;
  readonly end: IsoDate;
}

/** Every calendar date of the range, ascending. */
export const datesInRange = (range: DateRange): ReadonlyArray<IsoDate> => {
  const first = toDayNumber(range.start);
  return Array.from({ length: toDayNumber(range.end) - first + 1 }, (_, i) =>
    fromDayNumber(first + i),
  );
};

/** Checks a range: real dates, `start ≤ end`, at most `maxDays` days. */
export const validateRange = (
  start: string,
  end: string,
  maxDays = MAX_BACKFILL_DAYS,
): Either.Either<DateRange, InvalidBackfillRange> => {
  const fail = (message: string) => Either.left(new InvalidBackfillRange({ start, end, message }));
  if (parseIsoDate(start) === undefined) {
    return fail(`start must be a calendar date YYYY-MM-DD, got "${start}"`);
  }
  if (parseIsoDate(end) === undefined) {
    return fail(`end must be a calendar date YYYY-MM-DD, got "${end}"`);
  }
  const days = daysBetween(start, end) + 1;
  if (days < 1) return fail(`start ${start} is after end ${end}`);
  if (days > maxDays) {
    return fail(`the range has ${days} days; a backfill covers at most ${maxDays}`);
  }
  return Either.right({ start, end });
};

/**
 * Refuses a range that ends after today in New York: its later partitions have no data yet
 * and the runner would refuse each of them (`PartitionInFuture`).
 */
export const refuseFutureRange = (range: DateRange) =>
  Effect.gen(function* () {
    const today = newYorkDate(yield* Clock.currentTimeMillis);
    if (range.end > today) {
      return yield* new InvalidBackfillRange({
        ...range,
        message: `end ${range.end} is after today (${today}, America/New_York): partitions after today have no data yet; end the range on or before ${today}`,
      });
    }
  });
