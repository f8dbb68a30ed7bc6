import { describe, expect, it } from "vitest";
import { canonicalUtcMs, instantMs } from "../../src/calendar/dates";
import {
  addDays,
  dayOfWeek,
  earlyClose,
  isTradingDay,
  isWeekend,
  NYSE_SPECIAL_CLOSURES,
  nextTradingDay,
  nyseHoliday,
  parseIsoDate,
  previousTradingDay,
  tradingDaysBetween,
} from "../../src/calendar/nyse";
import { newYorkDate, newYorkDateOfIso } from "../../src/calendar/sessions";

/** Every weekday of a year on which NYSE is closed, and every 13:00 early close. */
const closedWeekdays = (year: number): string[] => {
  const out: string[] = [];
  for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addDays(d, 1)) {
    if (!isWeekend(d) && !isTradingDay(d)) out.push(d);
  }
  return out;
};
const earlyCloses = (year: number): string[] =>
  tradingDaysBetween(`${year}-01-01`, `${year}-12-31`).filter((d) => earlyClose(d) !== undefined);

// Published NYSE holiday and early-close calendars (nyse.com/markets/hours-calendars).
const PUBLISHED: Record<number, { holidays: string[]; early: string[] }> = {
  2024: {
    holidays: [
      "2024-01-01",
      "2024-01-15",
      "2024-02-19",
      "2024-03-29",
      "2024-05-27",
      "2024-06-19",
      "2024-07-04",
      "2024-09-02",
      "2024-11-28",
      "2024-12-25",
    ],
    early: ["2024-07-03", "2024-11-29", "2024-12-24"],
  },
  2025: {
    holidays: [
      "2025-01-01",
      "2025-01-09",
      "2025-01-20",
      "2025-02-17",
      "2025-04-18",
      "2025-05-26",
      "2025-06-19",
      "2025-07-04",
      "2025-09-01",
      "2025-11-27",
      "2025-12-25",
    ],
    early: ["2025-07-03", "2025-11-28", "2025-12-24"],
  },
  2026: {
    holidays: [
      "2026-01-01",
      "2026-01-19",
      "2026-02-16",
      "2026-04-03",
      "2026-05-25",
      "2026-06-19",
      "2026-07-03",
      "2026-09-07",
      "2026-11-26",
      "2026-12-25",
    ],
    early: ["2026-11-27", "2026-12-24"],
  },
};

describe("NYSE calendar against the published schedules", () => {
  for (const [year, expected] of Object.entries(PUBLISHED)) {
    it(`matches every ${year} full-day holiday`, () => {
      expect(closedWeekdays(Number(year))).toEqual(expected.holidays);
      for (const d of expected.holidays) expect(nyseHoliday(d)?.name).toBeTypeOf("string");
    });
    it(`matches every ${year} early close`, () => {
      expect(earlyCloses(Number(year))).toEqual(expected.early);
      for (const d of expected.early) expect(earlyClose(d)?.closeTimeEt).toBe("13:00");
    });
  }

  it("names holidays and the special closure", () => {
    expect(nyseHoliday("2025-01-09")?.name).toMatch(/Carter/);
    expect(nyseHoliday("2025-04-18")?.name).toBe("Good Friday");
    expect(nyseHoliday("2025-06-19")?.name).toMatch(/Juneteenth/);
    expect(nyseHoliday("2025-01-02")).toBeUndefined();
  });

  it("counts 252 trading days in 2024 and 250 in 2025", () => {
    expect(tradingDaysBetween("2024-01-01", "2024-12-31")).toHaveLength(252);
    expect(tradingDaysBetween("2025-01-01", "2025-12-31")).toHaveLength(250);
  });
});

describe("observance edge cases", () => {
  it("does not observe a Saturday New Year's Day on the Friday before", () => {
    expect(dayOfWeek("2022-01-01")).toBe(5);
    expect(isTradingDay("2021-12-31")).toBe(true);
    expect(earlyClose("2021-12-31")).toBeUndefined();
  });

  it("moves Sunday holidays to Monday and Saturday holidays to Friday", () => {
    expect(nyseHoliday("2022-12-26")?.name).toBe("Christmas Day");
    expect(nyseHoliday("2027-06-18")?.name).toMatch(/Juneteenth/);
    expect(nyseHoliday("2026-07-03")?.name).toBe("Independence Day");
    expect(nyseHoliday("2022-06-20")?.name).toMatch(/Juneteenth/);
    expect(nyseHoliday("2023-01-02")?.name).toBe("New Year's Day");
    expect(nyseHoliday("2021-12-24")?.name).toBe("Christmas Day");
  });

  it("adds holidays only from the year they were introduced", () => {
    expect(isTradingDay("2021-06-18")).toBe(true);
    expect(isTradingDay("1997-01-20")).toBe(true);
    expect(isTradingDay("1998-01-19")).toBe(false);
  });

  it("has no early close when the eve is itself a holiday or a weekend", () => {
    expect(earlyClose("2026-07-02")).toBeUndefined(); // Jul 4 on Saturday
    expect(earlyClose("2021-12-24")).toBeUndefined(); // observed Christmas
    expect(earlyClose("2022-07-01")).toBeUndefined(); // Jul 3 on Sunday
    expect(earlyClose("2023-07-03")?.reason).toMatch(/Independence/);
    expect(earlyClose("2018-12-24")?.reason).toBe("Christmas Eve");
  });

  it("treats the special closures as non-trading days", () => {
    for (const closure of NYSE_SPECIAL_CLOSURES) {
      expect(isTradingDay(closure.date)).toBe(false);
      expect(nyseHoliday(closure.date)?.name).toBe(closure.name);
    }
    expect(isTradingDay("2012-10-29")).toBe(false);
    expect(isTradingDay("2012-10-30")).toBe(false);
    expect(isTradingDay("2018-12-05")).toBe(false);
  });
});

describe("navigation", () => {
  it("lists trading days across a weekend and a holiday", () => {
    // Thu 2025-01-16 … Wed 2025-01-22 spans a weekend and MLK Day (Mon Jan 20).
    expect(tradingDaysBetween("2025-01-16", "2025-01-22")).toEqual([
      "2025-01-16",
      "2025-01-17",
      "2025-01-21",
      "2025-01-22",
    ]);
    expect(tradingDaysBetween("2025-01-18", "2025-01-20")).toEqual([]);
    expect(tradingDaysBetween("2025-01-22", "2025-01-16")).toEqual([]);
  });

  it("steps back over weekends, holidays and special closures", () => {
    expect(previousTradingDay("2025-01-21")).toBe("2025-01-17");
    expect(previousTradingDay("2025-01-06")).toBe("2025-01-03");
    expect(previousTradingDay("2025-01-10")).toBe("2025-01-08");
    expect(previousTradingDay("2025-01-02")).toBe("2024-12-31");
    expect(nextTradingDay("2025-12-24")).toBe("2025-12-26");
  });

  it("does date arithmetic across month, year and leap-day boundaries", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2024-02-29", 1)).toBe("2024-03-01");
    expect(addDays("2025-01-01", -1)).toBe("2024-12-31");
    expect(addDays("2000-02-28", 366)).toBe("2001-02-28");
    expect(addDays("1969-12-31", 1)).toBe("1970-01-01");
    expect(dayOfWeek("2025-01-06")).toBe(0);
    expect(dayOfWeek("2025-01-05")).toBe(6);
    expect(dayOfWeek("1970-01-01")).toBe(3);
  });
});

describe("parseIsoDate", () => {
  it("accepts real calendar dates", () => {
    expect(parseIsoDate("2025-02-28")).toBe("2025-02-28");
    expect(parseIsoDate("2024-02-29")).toBe("2024-02-29");
    expect(parseIsoDate("2000-02-29")).toBe("2000-02-29");
  });

  it("rejects impossible dates and malformed strings", () => {
    for (const s of [
      "2025-02-30",
      "2025-02-29",
      "1900-02-29",
      "2025-13-01",
      "2025-00-10",
      "2025-04-31",
      "2025-1-02",
      "25-01-02",
      "2025/01/02",
      "2025-01-02T00:00:00Z",
      " 2025-01-02",
      "2025-01-02\n",
      "",
      "abcd-ef-gh",
    ]) {
      expect(parseIsoDate(s), s).toBeUndefined();
    }
  });

  it("makes the other functions throw on malformed input instead of guessing", () => {
    expect(() => isTradingDay("2025-02-30")).toThrow(RangeError);
  });
});

describe("canonicalUtcMs", () => {
  it("reads exactly what toISOString writes, and agrees with Date.parse", () => {
    const start = Date.parse("1999-12-31T23:59:59.999Z");
    for (let i = 0; i < 5_000; i++) {
      const ms = start + i * 7_919_993_117;
      const text = new Date(ms).toISOString();
      expect(canonicalUtcMs(text)).toBe(ms);
      expect(instantMs(text)).toBe(Date.parse(text));
    }
  });

  it("refuses other shapes and impossible fields", () => {
    for (const text of [
      "2025-01-02T15:00:00Z",
      "2025-01-02T15:00:00.000+00:00",
      "2025-02-29T00:00:00.000Z",
      "2025-13-01T00:00:00.000Z",
      "2025-01-02T24:00:00.000Z",
      "2025-01-02T15:60:00.000Z",
      "2025-01-02T15:00:60.000Z",
      "2025-01-0xT15:00:00.000Z",
    ]) {
      expect(canonicalUtcMs(text)).toBeUndefined();
    }
    expect(instantMs("2025-01-02T10:00:00-05:00")).toBe(Date.parse("2025-01-02T15:00:00Z"));
  });
});

describe("newYorkDateOfIso", () => {
  it("agrees with newYorkDate for every hour across both 2025 DST changes, in and out of order", () => {
    const instants: Array<number> = [];
    for (const day of ["2025-03-08", "2025-03-09", "2025-03-10", "2025-11-01", "2025-11-02"]) {
      const start = Date.parse(`${day}T00:00:00Z`);
      for (let m = 0; m < 24 * 60; m += 17) instants.push(start + m * 60_000 + (m % 1000));
    }
    // Sorted (the cached window is hit) and shuffled (it is missed and replaced).
    const shuffled = instants.map((ms, i) => instants[(i * 7919) % instants.length] ?? ms);
    for (const ms of [...instants, ...shuffled]) {
      const iso = new Date(ms).toISOString();
      expect(newYorkDateOfIso(iso), iso).toBe(newYorkDate(ms));
    }
    // Midnight in New York (EST, UTC-5) belongs to the new day, a millisecond before to the old.
    expect(newYorkDateOfIso("2025-01-03T05:00:00.000Z")).toBe("2025-01-03");
    expect(newYorkDateOfIso("2025-01-03T04:59:59.999Z")).toBe("2025-01-02");
  });
});
