/**
 * Whole-run retry delays (partition actors' alarms): exponential from the base, capped, and
 * spread over half a delay so runs that failed together come back apart.
 */
import { describe, expect, it } from "vitest";
import { runRetryDelayMs } from "../../src/core/ingest/retry";

describe("runRetryDelayMs", () => {
  it("doubles per retry from the base, up to the cap, before the spread", () => {
    const none = () => 0;
    expect([0, 1, 2, 3].map((n) => runRetryDelayMs(n, 30_000, 900_000, none))).toEqual([
      30_000, 60_000, 120_000, 240_000,
    ]);
    expect(runRetryDelayMs(10, 30_000, 900_000, none)).toBe(900_000);
  });

  it("spreads a delay over [delay, 1.5 × delay)", () => {
    expect(runRetryDelayMs(0, 30_000, 900_000, () => 0.5)).toBe(37_500);
    expect(runRetryDelayMs(0, 30_000, 900_000, () => 0.999_999)).toBeLessThan(45_000);
    const delays = Array.from({ length: 200 }, () => runRetryDelayMs(0, 30_000, 900_000));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...delays)).toBeLessThan(45_000);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });
});
