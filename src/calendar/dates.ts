/**
 * ISO calendar dates (`YYYY-MM-DD`) handled as strings over a proleptic Gregorian day count.
 *
 * Everything here is pure integer arithmetic: no `Date` local-time methods and no time-zone
 * database, so results are identical on Node, workerd and Deno whatever the host's zone.
 */

/**
 * A calendar date written `YYYY-MM-DD` (years 0000–9999). A plain string so that values read
 * from JSON or SQL can be used directly; untrusted input goes through {@link parseIsoDate}.
 */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Number of days in a month of a year (month 1–12). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a civil date (H. Hinnant's `days_from_civil`). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthFromMarch = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * monthFromMarch + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Civil date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`). */
export function civilFromDays(days: number): {
  readonly year: number;
  readonly month: number;
  readonly day: number;
} {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Strict `YYYY-MM-DD` parse: the string must name a real calendar date. */
export function parseIsoDate(s: string): IsoDate | undefined {
  const match = ISO_DATE.exec(s);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return s;
}

/** Formats a civil date as `YYYY-MM-DD`. */
export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  const pad = (n: number, width: number): string => String(n).padStart(width, "0");
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** Days since 1970-01-01 of an ISO date; throws `RangeError` on a malformed date. */
export function toDayNumber(date: IsoDate): number {
  if (parseIsoDate(date) === undefined) {
    throw new RangeError(`Not an ISO calendar date: ${JSON.stringify(date)}`);
  }
  return daysFromCivil(
    Number(date.slice(0, 4)),
    Number(date.slice(5, 7)),
    Number(date.slice(8, 10)),
  );
}

/** ISO date of a day count since 1970-01-01. */
export function fromDayNumber(days: number): IsoDate {
  const { year, month, day } = civilFromDays(days);
  return formatIsoDate(year, month, day);
}

/** The date `days` calendar days after (or before, if negative) `date`. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Calendar days from `start` to `end` (negative when `end` is earlier). */
export function daysBetween(start: IsoDate, end: IsoDate): number {
  return toDayNumber(end) - toDayNumber(start);
}

/** Weekday of a day count: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export function dayOfWeekOfDayNumber(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

/** Weekday of a date: 0 = Monday … 6 = Sunday (the seed data's convention). */
export function dayOfWeek(date: IsoDate): number {
  return dayOfWeekOfDayNumber(toDayNumber(date));
}

/** True on Saturdays and Sundays. */
export function isWeekend(date: IsoDate): boolean {
  return dayOfWeek(date) >= 5;
}

/** Day number of the `n`-th given weekday (0 = Monday) of a month, `n` from 1. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): number {
  const first = daysFromCivil(year, month, 1);
  return first + ((weekday - dayOfWeekOfDayNumber(first) + 7) % 7) + 7 * (n - 1);
}

/** Day number of the last given weekday (0 = Monday) of a month. */
export function lastWeekdayOfMonth(year: number, month: number, weekday: number): number {
  const last = daysFromCivil(year, month, daysInMonth(year, month));
  return last - ((dayOfWeekOfDayNumber(last) - weekday + 7) % 7);
}

/**
 * Whether US Eastern daylight time is in force at 00:00 local time on `days`.
 *
 * Clocks change at 02:00 local, so midnight of the spring-forward Sunday is still standard
 * time and midnight of the fall-back Sunday is still daylight time. Rules: Energy Policy Act
 * of 2005 from 2007 (2nd Sunday of March → 1st Sunday of November), 1987–2006 (1st Sunday of
 * April → last Sunday of October); earlier years use the 1987 rule.
 */
function isEasternDaylightAtMidnight(days: number): boolean {
  const year = civilFromDays(days).year;
  const SUNDAY = 6;
  const start =
    year >= 2007 ? nthWeekdayOfMonth(year, 3, SUNDAY, 2) : nthWeekdayOfMonth(year, 4, SUNDAY, 1);
  const end =
    year >= 2007 ? nthWeekdayOfMonth(year, 11, SUNDAY, 1) : lastWeekdayOfMonth(year, 10, SUNDAY);
  return days > start && days <= end;
}

/** Unix milliseconds of 00:00 America/New_York on `date` (UTC−5, or UTC−4 under DST). */
export function easternMidnightUtcMs(date: IsoDate): number {
  const days = toDayNumber(date);
  const offsetHours = isEasternDaylightAtMidnight(days) ? 4 : 5;
  return days * MS_PER_DAY + offsetHours * 3_600_000;
}

/** The value of the ASCII digits `text[at..at+n)`, or -1 if any is not a digit. */
function digitsAt(text: string, at: number, n: number): number {
  let value = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * Epoch milliseconds of a canonical UTC instant `YYYY-MM-DDTHH:MM:SS.sssZ` (what
 * `Date.prototype.toISOString` writes), or undefined when `text` is anything else, including
 * an impossible date or time. Canonical text is what pipelines store and feeds mostly send;
 * reading it with integer arithmetic instead of `Date.parse` + `toISOString` matters at
 * millions of records.
 */
export function canonicalUtcMs(text: string): number | undefined {
  if (
    text.length !== 24 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(19) !== 46 || // .
    text.charCodeAt(23) !== 90 // Z
  ) {
    return undefined;
  }
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const milli = digitsAt(text, 20, 3);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return undefined;
  }
  if (milli < 0) return undefined;
  return (
    daysFromCivil(year, month, day) * MS_PER_DAY +
    ((hour * 60 + minute) * 60 + second) * 1000 +
    milli
  );
}

/** Epoch milliseconds of an ISO-8601 instant (NaN if invalid); canonical UTC text is fast. */
export function instantMs(text: string): number {
  return canonicalUtcMs(text) ?? Date.parse(text);
}
