/**
 * NYSE trading calendar computed from the exchange's holiday rules (NYSE Rule 7.2) plus a
 * documented list of one-off closures, so any year resolves without a per-year table.
 *
 * The rules are the modern ones: exact from 1998 (when Martin Luther King Jr. Day was
 * added) onward. Earlier years get today's rules, which ignores e.g. pre-1998 closures for
 * elections or the 1968 and 1977 paperwork/blackout days.
 */
import {
  civilFromDays,
  dayOfWeekOfDayNumber,
  daysFromCivil,
  fromDayNumber,
  type IsoDate,
  isWeekend,
  lastWeekdayOfMonth,
  nthWeekdayOfMonth,
  toDayNumber,
} from "./dates";

export type { IsoDate } from "./dates";
export { addDays, dayOfWeek, isWeekend, parseIsoDate } from "./dates";

/** A full-day market closure outside the regular holiday rules. */
export interface SpecialClosure {
  readonly date: IsoDate;
  readonly name: string;
}

/**
 * Unscheduled full-day NYSE closures (national days of mourning, emergencies), per the
 * exchange's historical closings list. Add new ones here when NYSE announces them.
 */
export const NYSE_SPECIAL_CLOSURES: ReadonlyArray<SpecialClosure> = [
  { date: "1994-04-27", name: "National Day of Mourning for President Richard Nixon" },
  { date: "2001-09-11", name: "September 11 attacks" },
  { date: "2001-09-12", name: "September 11 attacks" },
  { date: "2001-09-13", name: "September 11 attacks" },
  { date: "2001-09-14", name: "September 11 attacks" },
  { date: "2004-06-11", name: "National Day of Mourning for President Ronald Reagan" },
  { date: "2007-01-02", name: "National Day of Mourning for President Gerald Ford" },
  { date: "2012-10-29", name: "Hurricane Sandy" },
  { date: "2012-10-30", name: "Hurricane Sandy" },
  { date: "2018-12-05", name: "National Day of Mourning for President George H. W. Bush" },
  { date: "2025-01-09", name: "National Day of Mourning for President Jimmy Carter" },
];

const MONDAY = 0;
const THURSDAY = 3;
const SATURDAY = 5;
const SUNDAY = 6;

/** Easter Sunday of a Gregorian year (anonymous Gregorian computus), as a day number. */
function easterSunday(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return daysFromCivil(year, month, day);
}

/** Weekend observance of a fixed-date holiday: Saturday → Friday, Sunday → Monday. */
function observed(days: number): number {
  const weekday = dayOfWeekOfDayNumber(days);
  if (weekday === SATURDAY) return days - 1;
  if (weekday === SUNDAY) return days + 1;
  return days;
}

function thanksgiving(year: number): number {
  return nthWeekdayOfMonth(year, 11, THURSDAY, 4);
}

/** Observed holiday closures of one year: day number → holiday name. */
function computeHolidays(year: number): ReadonlyMap<number, string> {
  const holidays = new Map<number, string>();
  const add = (days: number, name: string): void => {
    // Observed days never leave the year: a Saturday New Year's Day is simply not observed.
    if (dayOfWeekOfDayNumber(days) < SATURDAY) holidays.set(days, name);
  };
  const newYear = daysFromCivil(year, 1, 1);
  // NYSE Rule 7.2: a Saturday New Year's Day is not moved to Friday Dec 31 (year-end close).
  if (dayOfWeekOfDayNumber(newYear) !== SATURDAY) add(observed(newYear), "New Year's Day");
  if (year >= 1998) add(nthWeekdayOfMonth(year, 1, MONDAY, 3), "Martin Luther King Jr. Day");
  add(nthWeekdayOfMonth(year, 2, MONDAY, 3), "Washington's Birthday");
  add(easterSunday(year) - 2, "Good Friday");
  add(lastWeekdayOfMonth(year, 5, MONDAY), "Memorial Day");
  if (year >= 2022)
    add(observed(daysFromCivil(year, 6, 19)), "Juneteenth National Independence Day");
  add(observed(daysFromCivil(year, 7, 4)), "Independence Day");
  add(nthWeekdayOfMonth(year, 9, MONDAY, 1), "Labor Day");
  add(thanksgiving(year), "Thanksgiving Day");
  add(observed(daysFromCivil(year, 12, 25)), "Christmas Day");
  for (const closure of NYSE_SPECIAL_CLOSURES) {
    if (closure.date.startsWith(`${String(year).padStart(4, "0")}-`)) {
      add(toDayNumber(closure.date), closure.name);
    }
  }
  return holidays;
}

const holidayCache = new Map<number, ReadonlyMap<number, string>>();

function holidaysOf(year: number): ReadonlyMap<number, string> {
  let holidays = holidayCache.get(year);
  if (holidays === undefined) {
    holidays = computeHolidays(year);
    holidayCache.set(year, holidays);
  }
  return holidays;
}

function holidayName(days: number): string | undefined {
  return holidaysOf(civilFromDays(days).year).get(days);
}

function isTradingDayNumber(days: number): boolean {
  return dayOfWeekOfDayNumber(days) < SATURDAY && holidayName(days) === undefined;
}

/**
 * The holiday or special closure for which NYSE is shut on this weekday, if any. Weekend
 * dates return `undefined` even when a holiday falls on them (the closure is observed on
 * the adjacent weekday, which is the date that carries the name).
 */
export function nyseHoliday(date: IsoDate): { readonly name: string } | undefined {
  const name = holidayName(toDayNumber(date));
  return name === undefined ? undefined : { name };
}

/** True when NYSE holds a regular or shortened session on this date. */
export function isTradingDay(date: IsoDate): boolean {
  return isTradingDayNumber(toDayNumber(date));
}

/**
 * The 13:00 ET early close of this date, if any: July 3 (when a trading day), the day after
 * Thanksgiving and December 24 (when a trading day). When July 4 is a Saturday the holiday
 * is observed on Friday July 3 and there is no early close that week.
 */
export function earlyClose(
  date: IsoDate,
): { readonly closeTimeEt: "13:00"; readonly reason: string } | undefined {
  const days = toDayNumber(date);
  if (!isTradingDayNumber(days)) return undefined;
  const { year, month, day } = civilFromDays(days);
  if (month === 7 && day === 3) return { closeTimeEt: "13:00", reason: "Independence Day eve" };
  if (days === thanksgiving(year) + 1) {
    return { closeTimeEt: "13:00", reason: "Day after Thanksgiving" };
  }
  if (month === 12 && day === 24) return { closeTimeEt: "13:00", reason: "Christmas Eve" };
  return undefined;
}

/** Trading days from `start` to `end`, both inclusive, ascending (empty if `start > end`). */
export function tradingDaysBetween(start: IsoDate, end: IsoDate): ReadonlyArray<IsoDate> {
  const first = toDayNumber(start);
  const last = toDayNumber(end);
  const days: IsoDate[] = [];
  for (let d = first; d <= last; d++) {
    if (isTradingDayNumber(d)) days.push(fromDayNumber(d));
  }
  return days;
}

/** The last trading day strictly before `date`. */
export function previousTradingDay(date: IsoDate): IsoDate {
  let days = toDayNumber(date) - 1;
  while (!isTradingDayNumber(days)) days--;
  return fromDayNumber(days);
}

/** The first trading day strictly after `date`. */
export function nextTradingDay(date: IsoDate): IsoDate {
  let days = toDayNumber(date) + 1;
  while (!isTradingDayNumber(days)) days++;
  return fromDayNumber(days);
}

/** Why NYSE has no session on `date` (`weekend` or `NYSE holiday: <name>`), or undefined. */
export function closedSessionReason(date: IsoDate): string | undefined {
  const holiday = nyseHoliday(date);
  if (holiday !== undefined) return `NYSE holiday: ${holiday.name}`;
  return isWeekend(date) ? "weekend" : undefined;
}
