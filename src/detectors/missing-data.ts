/**
 * MissingData: no data for a partition within 2× its expected interval, from
 * `core_expected_schedules` (day of week, New York time, tolerance).
 *
 * A daily schedule (`expected_day_of_week` NULL) expects a delivery every NYSE trading day:
 * weekends and full-day holidays expect nothing, so they never alert. A weekly one (0 =
 * Monday … 6 = Sunday) expects one delivery a week, on that weekday, or on the next trading
 * day when the weekday is a holiday (the week's data still comes, a day later). A delivery
 * is missing once the following delivery is also due (two intervals after the last good
 * one) plus the tolerance, and its partition still has no data.
 */
import * as Effect from "effect/Effect";
import { addDays, dayOfWeek, easternMidnightUtcMs, type IsoDate } from "../calendar/dates";
import { isTradingDay } from "../calendar/nyse";
import { newYorkDate } from "../calendar/sessions";
import { type Detection, type DetectorDefinition, iso, severityOf } from "./types";

/** One row of `core_expected_schedules`. */
export interface ExpectedSchedule {
  readonly domain: string;
  readonly stage: string;
  /** 0 = Monday … 6 = Sunday; null = every NYSE trading day. */
  readonly expectedDayOfWeek: number | null;
  /** `HH:MM` New York time the data should be there by; null = 17:00. */
  readonly expectedTime: string | null;
  readonly toleranceHours: number | null;
}

export interface MissingDataConfig {
  /** Expected intervals without data before an alert. Default 2. */
  readonly intervals: number;
  /** How far back deliveries are checked, in calendar days. Default 10. */
  readonly lookbackDays: number;
}

export const MISSING_DATA_DEFAULTS: MissingDataConfig = { intervals: 2, lookbackDays: 10 };

const HOUR_MS = 3_600_000;

/** The first NYSE trading day on or after `date`. */
const tradingDayFrom = (date: IsoDate): IsoDate => {
  let d = date;
  for (let i = 0; i < 14 && !isTradingDay(d); i++) d = addDays(d, 1);
  return d;
};

/** True when the schedule expects a delivery on `date`. */
export const isExpectedDate = (schedule: ExpectedSchedule, date: IsoDate): boolean => {
  if (!isTradingDay(date)) return false;
  const weekday = schedule.expectedDayOfWeek;
  if (weekday === null) return true;
  // The week's scheduled weekday on or before `date`; its delivery moves past holidays.
  const scheduled = addDays(date, -((dayOfWeek(date) - weekday + 7) % 7));
  return tradingDayFrom(scheduled) === date;
};

/** Calendar days between two deliveries: 1 (trading days) or 7 (weekly). */
export const intervalDays = (schedule: ExpectedSchedule): number =>
  schedule.expectedDayOfWeek === null ? 1 : 7;

/**
 * Calendar days looked back: `lookbackDays`, and for a weekly schedule at least enough weeks
 * for a delivery to become overdue and stay in view for another week.
 */
export const lookbackFor = (schedule: ExpectedSchedule, config: MissingDataConfig): number =>
  Math.max(config.lookbackDays, intervalDays(schedule) * (config.intervals + 1));

/** When the data of `date` is due (before tolerance), epoch ms. */
export const expectedAtMs = (schedule: ExpectedSchedule, date: IsoDate): number => {
  const [h = "17", m = "00"] = (schedule.expectedTime ?? "17:00").split(":");
  return easternMidnightUtcMs(date) + Number(h) * HOUR_MS + Number(m) * 60_000;
};

/** The next `count` expected dates strictly after `date`. */
const expectedAfter = (schedule: ExpectedSchedule, date: IsoDate, count: number) => {
  const found: Array<IsoDate> = [];
  for (let d = addDays(date, 1), i = 0; found.length < count && i < 400; d = addDays(d, 1), i++) {
    if (isExpectedDate(schedule, d)) found.push(d);
  }
  return found;
};

/** Input: a schedule, the time now, the partitions of each date, and which have data. */
export interface MissingDataInput {
  readonly schedule: ExpectedSchedule;
  readonly nowMs: number;
  /** The partitions a delivery of `date` fills (e.g. one per universe). */
  readonly partitionsOf: (date: IsoDate) => ReadonlyArray<string>;
  /** Partitions that have data (a complete or no-data-expected capture). */
  readonly present: ReadonlySet<string>;
}

/** The expected dates of the lookback whose deadline has passed at `nowMs`. */
export const overdueDates = (
  schedule: ExpectedSchedule,
  nowMs: number,
  config: MissingDataConfig,
): ReadonlyArray<{
  readonly date: IsoDate;
  readonly expectedAt: number;
  readonly deadline: number;
}> => {
  const today = newYorkDate(nowMs);
  const tolerance = (schedule.toleranceHours ?? 0) * HOUR_MS;
  const overdue = [];
  for (let d = addDays(today, -lookbackFor(schedule, config)); d <= today; d = addDays(d, 1)) {
    if (!isExpectedDate(schedule, d)) continue;
    const later = expectedAfter(schedule, d, Math.max(0, config.intervals - 1));
    const last = later.at(-1) ?? d;
    const deadline = expectedAtMs(schedule, last) + tolerance;
    if (nowMs >= deadline)
      overdue.push({ date: d, expectedAt: expectedAtMs(schedule, d), deadline });
  }
  return overdue;
};

export const missingDataDetector: DetectorDefinition<MissingDataInput, MissingDataConfig> = {
  name: "MISSING_DATA",
  description:
    "No data for a partition within 2× its expected interval (core_expected_schedules: every NYSE trading day, or weekly on a weekday moved past holidays)",
  defaults: MISSING_DATA_DEFAULTS,
  detect: (input, config) =>
    Effect.sync(() => {
      const c = { ...MISSING_DATA_DEFAULTS, ...config };
      const { schedule } = input;
      const found: Array<Detection> = [];
      for (const due of overdueDates(schedule, input.nowMs, c)) {
        for (const partition of input.partitionsOf(due.date)) {
          if (input.present.has(partition)) continue;
          const lateHours = (input.nowMs - due.expectedAt) / HOUR_MS;
          found.push({
            rule: "MISSING_DATA",
            // Late by how many intervals: a weekly delivery a day late is not a daily one.
            severity: severityOf(lateHours / (24 * intervalDays(schedule))),
            key: partition,
            message: `Missing data: expected ${schedule.domain}.${schedule.stage} ${partition} by ${iso(due.expectedAt)}, none received`,
            context: {
              domain: schedule.domain,
              stage: schedule.stage,
              partition,
              date: due.date,
              expected_at: iso(due.expectedAt),
              deadline: iso(due.deadline),
              hours_late: Math.round(lateHours * 10) / 10,
            },
            observedAt: iso(due.expectedAt),
          });
        }
      }
      return found;
    }),
};
