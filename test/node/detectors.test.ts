import { Effect, Logger } from "effect";
import { describe, expect, it } from "vitest";
import { easternMidnightUtcMs } from "../../src/calendar/dates";
import { appConfigFromVars } from "../../src/core/config/app-config";
import type { RunContext } from "../../src/core/model/run-context";
import { formatAlert, formatBatch } from "../../src/detectors/alerts";
import { latencyBreachDetector } from "../../src/detectors/latency-breach";
import {
  type ExpectedSchedule,
  isExpectedDate,
  lookbackFor,
  MISSING_DATA_DEFAULTS,
  missingDataDetector,
  overdueDates,
} from "../../src/detectors/missing-data";
import { detectionStep } from "../../src/detectors/record";
import { DETECTORS } from "../../src/detectors/registry";
import { RollingWindow } from "../../src/detectors/rolling";
import { sessionMsBetween, timeGapDetector } from "../../src/detectors/time-gap";
import type { Detection } from "../../src/detectors/types";
import { volumeShiftDetector, volumeShiftFromSettings } from "../../src/detectors/volume-shift";
import {
  dailyTimes,
  demoUniverseVolumes,
  demoVolumes,
  intradayTimes,
  noisySeries,
} from "../fixtures/detection";
import { failingStores } from "../fixtures/stores";

const run = <A>(effect: Effect.Effect<A>) => Effect.runSync(effect);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe("DETECTORS", () => {
  it("registers the four rules and the series scorer, each with default thresholds", () => {
    expect(DETECTORS.names()).toEqual([
      "MISSING_DATA",
      "TIME_GAP",
      "VOLUME_SHIFT",
      "LATENCY_BREACH",
      "SERIES_ANOMALY",
    ]);
    expect(DETECTORS.get("SERIES_ANOMALY")?.defaults).toMatchObject({ warmup: 150, bins: 10 });
    expect(DETECTORS.get("TIME_GAP")?.defaults).toMatchObject({ maxGapMinutes: 60 });
    expect(DETECTORS.get("LATENCY_BREACH")?.defaults).toEqual({ slaMinutes: 5 });
    expect(DETECTORS.get("VOLUME_SHIFT")?.defaults).toMatchObject({
      method: "robust",
      window: 60,
      threshold: 3.5,
    });
  });
});

describe("TimeGap", () => {
  // June–July 2025: weekends, Juneteenth (Thu 19 June), 4 July, the 3 July early close.
  const clean = intradayTimes("2025-06-02", "2025-07-31");

  it("stays silent on clean intraday data across nights, weekends, holidays and early closes", () => {
    expect(clean.length).toBeGreaterThan(3000);
    expect(run(timeGapDetector.detect({ series: "AAPL", timestamps: clean }))).toEqual([]);
  });

  it("counts wall-clock time only when asked, so nights would then be gaps", () => {
    const found = run(
      timeGapDetector.detect({ series: "AAPL", timestamps: clean }, { calendar: "none" }),
    );
    expect(found.length).toBeGreaterThan(30);
  });

  it("fires on a 90-minute hole inside a session, once, with the gap in the message", () => {
    const hole0 = easternMidnightUtcMs("2025-06-10") + 11 * HOUR;
    const holed = clean.filter((t) => t < hole0 || t >= hole0 + 90 * MINUTE);
    const found = run(timeGapDetector.detect({ series: "AAPL", timestamps: holed }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      rule: "TIME_GAP",
      key: `AAPL|${new Date(hole0 - 5 * MINUTE).toISOString()}`,
      context: { gap_minutes: 95, threshold_minutes: 60, calendar: "nyse" },
    });
    expect(found[0]?.message).toContain("95 minutes");
  });

  it("measures session time: Friday close to Monday open is zero, an early close ends at 13:00", () => {
    const fri = easternMidnightUtcMs("2025-06-13");
    const mon = easternMidnightUtcMs("2025-06-16");
    expect(sessionMsBetween(fri + 16 * HOUR, mon + 9.5 * HOUR)).toBe(0);
    const jul3 = easternMidnightUtcMs("2025-07-03");
    expect(sessionMsBetween(jul3 + 12 * HOUR, jul3 + 23 * HOUR)).toBe(HOUR);
  });

  it("counts missed sessions for daily bars: holidays are not missing, a skipped session is", () => {
    const days = dailyTimes("2025-06-02", "2025-07-31");
    expect(
      run(timeGapDetector.detect({ series: "AAPL", timestamps: days }, { mode: "daily" })),
    ).toEqual([]);
    const skipped = days.filter(
      (t) => t !== easternMidnightUtcMs("2025-06-11") && t !== easternMidnightUtcMs("2025-06-12"),
    );
    const found = run(
      timeGapDetector.detect({ series: "AAPL", timestamps: skipped }, { mode: "daily" }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      key: "AAPL|2025-06-13",
      context: { previous: "2025-06-10", current: "2025-06-13", missed_sessions: 2 },
    });
  });
});

describe("VolumeShift", () => {
  it("stays silent on most of the clean demo volumes of the whole universe (< 5% of rows)", () => {
    let rows = 0;
    let alerts = 0;
    for (const input of demoUniverseVolumes("2024-01-02", "2024-12-31")) {
      rows += input.points.length;
      alerts += run(volumeShiftDetector.detect(input)).length;
    }
    expect(rows).toBeGreaterThan(4900);
    expect(alerts / rows).toBeLessThan(0.05);
  });

  it("fires once on an 8× spike, at the spike, with baseline and change in the context", () => {
    const points = demoVolumes("AAPL", "2025-04-01", "2025-06-30");
    const at = points.findIndex((p) => p.atMs === easternMidnightUtcMs("2025-06-10"));
    const spiked = points.map((p, i) => (i === at ? { ...p, value: p.value * 8 } : p));
    const clean = run(volumeShiftDetector.detect({ series: "AAPL", points }));
    const found = run(volumeShiftDetector.detect({ series: "AAPL", points: spiked }));
    const added = found.filter((d) => !clean.some((c) => c.key === d.key));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      rule: "VOLUME_SHIFT",
      observedAt: "2025-06-10T04:00:00.000Z",
      context: { series: "AAPL", method: "robust", current_volume: spiked[at]?.value },
    });
    expect(
      Number((added[0]?.context as { percent_change?: number } | undefined)?.percent_change),
    ).toBeGreaterThan(400);
  });

  it("gives one alert, not nine, for a sustained shift (hysteresis), and none during warm-up", () => {
    const base = noisySeries(120, 1_000_000, 0.1);
    const shifted = base.map((p, i) => (i >= 60 && i < 69 ? { ...p, value: p.value * 5 } : p));
    const found = run(volumeShiftDetector.detect({ series: "X", points: shifted }));
    expect(found).toHaveLength(1);
    expect(found[0]?.observedAt).toBe(new Date(shifted[60]!.atMs).toISOString());
    const early = shifted.map((p, i) => (i === 3 ? { ...p, value: p.value * 50 } : p));
    expect(run(volumeShiftDetector.detect({ series: "X", points: early.slice(0, 10) }))).toEqual(
      [],
    );
  });

  it("stays quiet on a noisy series where the seed's ±50% rule is noisy", () => {
    const noisy = noisySeries(2000, 50_000, 0.35, 11);
    const robust = run(volumeShiftDetector.detect({ series: "N", points: noisy }));
    const percent = run(
      volumeShiftDetector.detect({ series: "N", points: noisy }, { method: "percent" }),
    );
    expect(robust.length / noisy.length).toBeLessThan(0.01);
    expect(percent.length).toBeGreaterThan(10 * Math.max(1, robust.length));
  });

  it("keeps the seed rule: ±50% from the 20-period rolling average", () => {
    const flat = Array.from({ length: 25 }, (_, i) => ({ atMs: i * HOUR, value: 1000 }));
    const plus60 = [...flat, { atMs: 25 * HOUR, value: 1600 }];
    const plus40 = [...flat, { atMs: 25 * HOUR, value: 1400 }];
    const minus60 = [...flat, { atMs: 25 * HOUR, value: 400 }];
    const detect = (points: typeof flat) =>
      run(volumeShiftDetector.detect({ series: "P", points }, { method: "percent" }));
    expect(detect(plus40)).toEqual([]);
    expect(detect(plus60)).toHaveLength(1);
    expect(detect(plus60)[0]?.message).toBe("Volume anomaly: P 1,600 vs avg 1,000 (+60.0%)");
    expect(detect(minus60)[0]?.context).toMatchObject({ percent_change: -60 });
  });
});

describe("LatencyBreach", () => {
  const t0 = Date.UTC(2025, 5, 10, 14, 0);
  it("stays silent within the 5-minute SLA and fires once per episode of late records", () => {
    const onTime = Array.from({ length: 50 }, (_, i) => ({
      dataAtMs: t0 + i * MINUTE,
      ingestedAtMs: t0 + i * MINUTE + 4 * MINUTE,
    }));
    expect(run(latencyBreachDetector.detect({ series: "Q", observations: onTime }))).toEqual([]);
    const late = onTime.map((o, i) =>
      i >= 10 && i < 13 ? { ...o, ingestedAtMs: o.dataAtMs + (7 + i - 10) * MINUTE } : o,
    );
    const found = run(latencyBreachDetector.detect({ series: "Q", observations: late }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      rule: "LATENCY_BREACH",
      context: { records: 3, worst_delay_minutes: 9, sla_minutes: 5 },
    });
    expect(found[0]?.message).toContain("data delayed by 9.0 minutes");
  });
});

describe("MissingData", () => {
  const daily: ExpectedSchedule = {
    domain: "market_data",
    stage: "INGEST",
    expectedDayOfWeek: null,
    expectedTime: "17:00",
    toleranceHours: 1,
  };
  const partitionsOf = (date: string) => [`${date}|demo`];
  const detect = (nowIso: string, present: ReadonlyArray<string>, schedule = daily) =>
    run(
      missingDataDetector.detect({
        schedule,
        nowMs: Date.parse(nowIso),
        partitionsOf,
        present: new Set(present.map((d) => `${d}|demo`)),
      }),
    );
  const june = [
    "2025-06-09",
    "2025-06-10",
    "2025-06-11",
    "2025-06-12",
    "2025-06-13",
    "2025-06-16",
    "2025-06-17",
    "2025-06-18",
    "2025-06-20",
  ];

  it("expects nothing on weekends and NYSE holidays (Juneteenth 2025): a clean history is silent", () => {
    // Monday 23 June 2025, 12:00 New York: everything up to Friday the 20th has arrived.
    expect(detect("2025-06-23T16:00:00Z", june)).toEqual([]);
    const due = overdueDates(daily, Date.parse("2025-06-23T16:00:00Z"), {
      intervals: 2,
      lookbackDays: 10,
    });
    expect(due.map((d) => d.date)).not.toContain("2025-06-19");
    expect(due.map((d) => d.date)).not.toContain("2025-06-21");
  });

  it("alerts only after 2× the interval: the next delivery is also due plus the tolerance", () => {
    const present = june.filter((d) => d !== "2025-06-18");
    // Thursday 19 June is a holiday, so after the 18th the next delivery is Friday 20 June,
    // 17:00 EDT + 1 h tolerance = 22:00 UTC.
    expect(detect("2025-06-20T21:59:00Z", present)).toEqual([]);
    const found = detect("2025-06-20T22:00:00Z", present);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      rule: "MISSING_DATA",
      key: "2025-06-18|demo",
      context: { date: "2025-06-18", expected_at: "2025-06-18T21:00:00.000Z" },
    });
  });

  it("follows a weekly schedule's weekday and moves a holiday's delivery to the next trading day", () => {
    const fridays: ExpectedSchedule = { ...daily, expectedDayOfWeek: 4, toleranceHours: 0 };
    // Good Friday 18 April 2025: that week's delivery is due on Monday the 21st instead.
    const due = overdueDates(fridays, Date.parse("2025-05-10T12:00:00Z"), {
      intervals: 2,
      lookbackDays: 40,
    });
    expect(due.map((d) => d.date)).toEqual([
      "2025-04-04",
      "2025-04-11",
      "2025-04-21",
      "2025-04-25",
      "2025-05-02",
    ]);
    expect(isExpectedDate(fridays, "2025-04-18")).toBe(false);
    expect(isExpectedDate(fridays, "2025-04-22")).toBe(false);
  });

  it("a weekly schedule is missing one week late, seen for another week, graded in weeks", () => {
    // FINRA's row: Tuesdays by 03:00 New York, 1 h tolerance (migration 0014).
    const tuesdays: ExpectedSchedule = {
      domain: "finra.otc_transparency",
      stage: "INGEST",
      expectedDayOfWeek: 1,
      expectedTime: "03:00",
      toleranceHours: 1,
    };
    const weekly = (nowIso: string, present: ReadonlyArray<string> = []) =>
      run(
        missingDataDetector.detect({
          schedule: tuesdays,
          nowMs: Date.parse(nowIso),
          partitionsOf: (date) => [`${date}|week`],
          present: new Set(present),
        }),
      );
    // Tuesday 4 March 2025 is due by 03:00 EST (08:00 UTC); missing once Tuesday 11 March
    // 03:00 EDT (07:00 UTC) + 1 h has passed. The default 10-day lookback would lose a week
    // after three days; a weekly schedule looks back three weeks.
    const before = weekly("2025-03-11T07:59:00Z");
    expect(before.map((d) => d.key)).toEqual(["2025-02-18|week", "2025-02-25|week"]);
    const late = weekly("2025-03-11T08:00:00Z");
    expect(late.map((d) => d.key)).toEqual([
      "2025-02-18|week",
      "2025-02-25|week",
      "2025-03-04|week",
    ]);
    // One interval late is LOW, as a daily delivery one day late is.
    expect(late[2]).toMatchObject({
      severity: "LOW",
      context: { expected_at: "2025-03-04T08:00:00.000Z", hours_late: 168 },
    });
    // Still reported (and graded HIGH: more than two weeks late) ten days on.
    const later = weekly("2025-03-21T12:00:00Z", ["2025-03-11|week"]);
    expect(later.find((d) => d.key === "2025-03-04|week")).toMatchObject({ severity: "HIGH" });
    // A daily schedule's lookback is unchanged: 10 days.
    expect(lookbackFor(daily, MISSING_DATA_DEFAULTS)).toBe(10);
    expect(lookbackFor(tuesdays, MISSING_DATA_DEFAULTS)).toBe(21);
  });
});

describe("false positives on clean data, all rules", () => {
  it("is measured over every rule's clean fixture and stays under 1%", () => {
    const detections: Array<Detection> = [];
    let observations = 0;
    const intraday = intradayTimes("2025-06-02", "2025-07-31");
    observations += intraday.length;
    detections.push(...run(timeGapDetector.detect({ series: "AAPL", timestamps: intraday })));
    const days = dailyTimes("2024-01-02", "2025-07-31");
    observations += days.length;
    detections.push(
      ...run(timeGapDetector.detect({ series: "AAPL", timestamps: days }, { mode: "daily" })),
    );
    for (const input of demoUniverseVolumes("2024-01-02", "2025-07-31")) {
      observations += input.points.length;
      detections.push(...run(volumeShiftDetector.detect(input)));
    }
    const latency = intraday.map((t) => ({ dataAtMs: t, ingestedAtMs: t + 90_000 }));
    observations += latency.length;
    detections.push(
      ...run(latencyBreachDetector.detect({ series: "AAPL", observations: latency })),
    );
    const rate = detections.length / observations;
    expect(observations).toBeGreaterThan(14_000);
    expect(rate).toBeLessThan(0.01);
    // Only VolumeShift fires at all on clean data (real volume bursts of the demo walk).
    expect(new Set(detections.map((d) => d.rule))).toEqual(new Set(["VOLUME_SHIFT"]));
  });
});

describe("alerts", () => {
  const anomaly = {
    rule: "VOLUME_SHIFT",
    severity: "HIGH",
    message: "Volume dropped 50% (current: 500k, avg: 1M)",
    at: "2025-01-01T10:00:00.000Z",
  };

  it("formats one alert as [SEVERITY] RULE at time UTC: message", () => {
    expect(formatAlert(anomaly)).toBe(
      "[HIGH] VOLUME_SHIFT at 2025-01-01 10:00:00 UTC: Volume dropped 50% (current: 500k, avg: 1M)",
    );
  });

  it("summarises a batch grouped by severity, most severe first", () => {
    const text = formatBatch([
      { ...anomaly, severity: "LOW", rule: "TIME_GAP", message: "gap" },
      anomaly,
      {
        ...anomaly,
        severity: "CRITICAL",
        rule: "MISSING_DATA",
        message: "none",
        partitionKey: "2025-01-02|demo",
      },
      { ...anomaly, message: "again", at: "2025-01-01T09:00:00.000Z" },
    ]);
    expect(text.split("\n")).toEqual([
      "4 anomalies: 1 CRITICAL, 2 HIGH, 1 LOW",
      "CRITICAL (1)",
      "  [CRITICAL] MISSING_DATA at 2025-01-01 10:00:00 UTC: none (partition 2025-01-02|demo)",
      "HIGH (2)",
      "  [HIGH] VOLUME_SHIFT at 2025-01-01 09:00:00 UTC: again",
      "  [HIGH] VOLUME_SHIFT at 2025-01-01 10:00:00 UTC: Volume dropped 50% (current: 500k, avg: 1M)",
      "LOW (1)",
      "  [LOW] TIME_GAP at 2025-01-01 10:00:00 UTC: gap",
    ]);
    expect(formatBatch([])).toBe("No anomalies.");
  });
});

describe("RollingWindow", () => {
  const median = (xs: ReadonlyArray<number>) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >>> 1;
    return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  /** Slides a window of `size` over 400 values and checks it against brute force each step. */
  const slide = (size: number, next: (i: number) => number) => {
    const window = new RollingWindow(size);
    const kept: Array<number> = [];
    for (let i = 0; i < 400; i++) {
      const value = next(i);
      window.push(value);
      kept.push(value);
      if (kept.length > size) kept.shift();
      const m = median(kept);
      const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
      const std = Math.sqrt(kept.reduce((a, b) => a + (b - mean) ** 2, 0) / kept.length);
      expect(window.median()).toBe(m);
      expect(window.mad()).toBeCloseTo(median(kept.map((v) => Math.abs(v - m))), 9);
      expect(window.mean()).toBeCloseTo(mean, 9);
      expect(window.std()).toBeCloseTo(std, 6);
    }
  };

  it("keeps mean, std, median and MAD equal to a brute-force computation as it slides", () => {
    for (const size of [1, 2, 7, 8, 60]) {
      let x = 12345;
      slide(size, (i) => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return (x % 1000) / 10 - (i % 3 === 0 ? 40 : 0);
      });
    }
  });

  it("stays exact with many equal values (ties at the median and among deviations)", () => {
    for (const size of [5, 6, 20]) {
      let x = 99;
      slide(size, () => {
        x = (x * 1103515245 + 12345) % 2147483648;
        return x % 4;
      });
    }
  });
});

describe("operator thresholds", () => {
  it("reads LATENCY_SLA_MINUTES and VOLUME_SHIFT_* from the environment, defaults otherwise", () => {
    expect(appConfigFromVars({}).detection).toEqual({
      latencySlaMinutes: 5,
      volumeShiftMethod: "robust",
    });
    const set = appConfigFromVars({
      LATENCY_SLA_MINUTES: "15",
      VOLUME_SHIFT_METHOD: "percent",
      VOLUME_SHIFT_WINDOW: "30",
      VOLUME_SHIFT_THRESHOLD: "80",
    }).detection;
    expect(set).toEqual({
      latencySlaMinutes: 15,
      volumeShiftMethod: "percent",
      volumeShiftWindow: 30,
      volumeShiftThreshold: 80,
    });
    expect(volumeShiftFromSettings(set)).toMatchObject({
      method: "percent",
      window: 30,
      warmup: 30,
      deviationPercent: 80,
    });
    expect(
      volumeShiftFromSettings({ volumeShiftMethod: "robust", volumeShiftThreshold: 6 }),
    ).toMatchObject({ method: "robust", window: 60, warmup: 10, threshold: 6 });
    expect(() => appConfigFromVars({ LATENCY_SLA_MINUTES: "-1" })).toThrow(
      'LATENCY_SLA_MINUTES: must be a number above 0; got "-1"',
    );
    expect(() => appConfigFromVars({ VOLUME_SHIFT_METHOD: "median" })).toThrow(
      "VOLUME_SHIFT_METHOD: must be one of robust, percent",
    );
  });
});

describe("detection step", () => {
  it("never halts the pipeline: a failing or dying detector becomes a logged summary", async () => {
    const ctx = {
      pipeline: "market_data.ingest_prices",
      domain: "market_data",
      stage: "INGEST",
      partitionKey: "2025-06-10|demo",
      captureId: "market_data.INGEST.2025-06-10|demo.20250610T210000Z",
      capturedAt: "2025-06-10T21:00:00.000Z",
      executionId: "exec_test",
      batchId: "cli.exec_test",
    } as unknown as RunContext;
    for (const broken of [
      Effect.fail(new Error("store unreachable")),
      Effect.die(new Error("bug in a detector")),
    ]) {
      const summary = await Effect.runPromise(
        detectionStep(ctx, broken as Effect.Effect<never, Error>).pipe(
          Effect.provide(Logger.remove(Logger.defaultLogger)),
          Effect.provide(failingStores("*")),
        ),
      );
      expect(summary).toMatchObject({ anomalies: 0, resolved: 0 });
      expect(summary.error).toMatch(/store unreachable|bug in a detector/);
    }
  });
});
