/**
 * Detection on a file ingest of real data: 506 AAPL daily bars (2015-02-17 … 2017-02-16,
 * `@observablehq/sample-datasets`) as an Alpha Vantage TIME_SERIES_DAILY file, through the
 * real `dataspine ingest` process into a temp libSQL file. VolumeShift must find the
 * 2015-08-24 volume event (162 M shares, the flash-crash Monday) and stay quiet on stretches
 * without earnings, holidays or market events; a second file is judged against the bars the
 * first one stored.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataspine, ingestArgs } from "../fixtures/cli";
import { aaplBars, alphaVantageDaily } from "../fixtures/real-bars";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const BARS = aaplBars("2015-02-17", "2017-02-16");

/** Weeks with no AAPL earnings release, index event, holiday half-day or market-wide shock. */
const QUIET = [
  ["2015-05-01", "2015-07-17"],
  ["2015-09-16", "2015-10-23"],
  ["2016-02-01", "2016-04-22"],
  ["2016-05-02", "2016-07-22"],
  ["2016-09-19", "2016-10-21"],
] as const;

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

const ingest = async (into: TempDb, name: string, from: string, to: string) => {
  const path = join(into.dir, name);
  await writeFile(path, alphaVantageDaily("AAPL", aaplBars(from, to)));
  const result = await dataspine(into.url, ...ingestArgs("alphavantage_daily", path, "--json"));
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
};

const volumeShifts = async (partition: string) =>
  (
    await query(
      db.url,
      "SELECT observed_at, severity, message FROM core_anomalies WHERE rule = 'VOLUME_SHIFT' AND partition_key = ? AND resolved_at IS NULL ORDER BY observed_at",
      [partition],
    )
  ).map((r) => ({ date: String(r.observed_at).slice(0, 10), message: String(r.message) }));

describe("alphavantage_daily file of 506 real AAPL bars", { timeout: 120_000 }, () => {
  it("stores every bar and finds the 2015-08-24 volume event, few alerts elsewhere", async () => {
    expect(BARS).toHaveLength(506);
    const doc = await ingest(db, "aapl-daily.json", "2015-02-17", "2017-02-16");
    expect(doc).toMatchObject({
      status: "complete",
      counts: { received: 506, valid: 506, quarantined: 0, written: 506 },
    });
    const found = await volumeShifts("file:aapl-daily.json");
    const dates = found.map((f) => f.date);
    expect(dates).toContain("2015-08-24");
    expect(found.find((f) => f.date === "2015-08-24")?.message).toMatch(
      /^Volume anomaly: AAPL 162,206,300 vs median /,
    );
    // One alert per volume event: a handful in two years, under 2% of the bars.
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.length / BARS.length).toBeLessThan(0.02);
    const quietSessions = BARS.filter((b) => QUIET.some(([a, z]) => b.date >= a && b.date <= z));
    const quietAlerts = dates.filter((d) => QUIET.some(([a, z]) => d >= a && d <= z));
    expect(quietSessions.length).toBeGreaterThan(200);
    expect(quietAlerts.length / quietSessions.length).toBeLessThan(0.01);
    // A complete series of past sessions: no gap, no latency.
    const other = await query(
      db.url,
      "SELECT count(*) AS n FROM core_anomalies WHERE rule IN ('TIME_GAP', 'LATENCY_BREACH')",
    );
    expect(Number(other[0]?.n)).toBe(0);
    const [manifest] = await query(
      db.url,
      "SELECT metadata FROM core_manifest WHERE capture_id = ?",
      [doc.capture_id],
    );
    expect(JSON.parse(String(manifest?.metadata)).details.detection).toMatchObject({
      anomalies: found.length,
      by_rule: { VOLUME_SHIFT: found.length },
      series: 1,
    });
  });

  it("judges a later file against the bars stored before its first date", async () => {
    const fresh = await makeTempDb();
    try {
      await ingest(fresh, "aapl-h1.json", "2015-02-17", "2015-08-14");
      const doc = await ingest(fresh, "aapl-h2.json", "2015-08-17", "2015-09-30");
      expect(doc.counts).toMatchObject({ written: 32 });
      // 2015-08-24 is the file's sixth bar: only the stored baseline can judge it.
      const found = await query(
        fresh.url,
        "SELECT observed_at FROM core_anomalies WHERE rule = 'VOLUME_SHIFT' AND partition_key = 'file:aapl-h2.json'",
      );
      expect(found.map((r) => String(r.observed_at).slice(0, 10))).toContain("2015-08-24");
    } finally {
      await fresh.cleanup();
    }
  });
});
