/**
 * The detectors of a canonical table run whatever brought its rows: a `dataspine ingest` of
 * executions, quotes or a FINRA weekly file, and a backfill of `trade_data.ingest_trades`
 * that is judged against trades a file ingest stored before it.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import { Effect, TestClock, TestContext } from "effect";
import { describe, expect, it } from "vitest";
import { easternMidnightUtcMs } from "../../src/calendar/dates";
import { tradingDaysBetween } from "../../src/calendar/nyse";
import { executeBackfill, newBackfillId, planBackfill } from "../../src/core/backfill/backfill";
import { parseSourceLocation } from "../../src/core/ingest/source";
import { sourcePipeline } from "../../src/core/ingest/source-pipeline";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import { runPipeline } from "../../src/core/pipeline/runner";
import { TABLE_DETECTIONS } from "../../src/domains/detections-registry";
import { PIPELINES } from "../../src/domains/registry";
import { SOURCES } from "../../src/domains/sources-registry";
import { usePipelineDb } from "../fixtures/pipeline-db";
import { ingestThroughRunner, sourceNamed } from "../fixtures/sources";

const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";
const MINUTE = 60_000;

const setup = usePipelineDb();
const { query } = setup;

/** An execution CSV of `client`: `perDay(date)` trades in each session, one a minute from 10:00. */
const executions = (
  client: string,
  dates: ReadonlyArray<string>,
  perDay: (d: string) => number,
) => {
  const lines = [HEADER];
  for (const date of dates) {
    const open = easternMidnightUtcMs(date) + 10 * 60 * MINUTE;
    for (let i = 0; i < perDay(date); i++) {
      const at = new Date(open + i * 500).toISOString();
      lines.push(`${client}-${date}-${i},${client},AAPL,BUY,100,200.5,${at},XNAS`);
    }
  }
  return `${lines.join("\n")}\n`;
};

const anomaliesOf = (partition: string, rule: string) =>
  query(
    "SELECT severity, message, observed_at, metadata FROM core_anomalies WHERE partition_key = ? AND rule = ? ORDER BY observed_at",
    [partition, rule],
  );

const file = async (name: string, text: string) => {
  const path = join(setup.db.dir, name);
  await writeFile(path, text);
  return path;
};

describe("table detections", () => {
  it("every source writing a table with a detection runs it", () => {
    for (const source of SOURCES.list()) {
      const table = TABLE_DETECTIONS.get(source.target);
      expect(source.detects, source.name).toEqual(table?.rules ?? []);
    }
    expect(TABLE_DETECTIONS.names()).toEqual([
      "market_prices",
      "market_quotes",
      "trades",
      "finra_otc_transparency_venue_volume",
    ]);
  });
});

describe("detection on a file ingest", () => {
  it("trades: a client's session with ten times its usual count is a VolumeShift", async () => {
    const dates = tradingDaysBetween("2025-03-03", "2025-04-04");
    const spike = "2025-04-02";
    const path = await file(
      "desk7.csv",
      executions("Desk 7", dates, (d) => (d === spike ? 400 : 35 + (d.charCodeAt(9) % 10))),
    );
    const result = await ingestThroughRunner(setup.db.url, "execution_csv", path);
    expect(result.counts.written).toBeGreaterThan(dates.length * 35);
    const found = await anomaliesOf("file:desk7.csv", "VOLUME_SHIFT");
    expect(found.map((a) => a.observed_at)).toEqual([
      new Date(easternMidnightUtcMs(spike)).toISOString(),
    ]);
    expect(String(found[0]?.message)).toMatch(/^Volume anomaly: Desk 7 trades 400 vs median /);
    // The run kept one count per client and session, which later runs read as history.
    const points = await query(
      "SELECT period, value FROM core_series_points WHERE target = 'trades' AND series = 'Desk 7' ORDER BY period",
    );
    expect(points).toHaveLength(dates.length);
    expect(points.find((p) => p.period === spike)?.value).toBe(400);
  });

  it("quotes: a two-hour hole inside the session is a TimeGap; a late newest quote a breach", async () => {
    const day = "2025-06-10";
    const open = easternMidnightUtcMs(day) + 9.5 * 60 * MINUTE;
    const quotes = Array.from({ length: 79 }, (_, i) => open + i * 5 * MINUTE)
      .filter((t) => t < open + 90 * MINUTE || t >= open + 210 * MINUTE)
      .filter((t) => t <= open + 240 * MINUTE)
      .map((t, i) => ({
        symbol: "AAPL",
        latestPrice: 200 + i / 100,
        latestUpdate: t,
        latestVolume: 1000 * (i + 1),
      }));
    const path = await file("aapl-quotes.json", JSON.stringify(quotes));
    // Ingested at 16:30 New York: the newest quote (13:30) is 150 session minutes old.
    const now = easternMidnightUtcMs(day) + 16.5 * 60 * MINUTE;
    const pipeline = sourcePipeline(
      sourceNamed("iex_quote"),
      parseSourceLocation(path),
      NodeFileSystem.layer,
    );
    const result = await setup.ok(
      Effect.gen(function* () {
        yield* TestClock.setTime(now);
        return yield* runPipeline(new Registry<Pipeline>("pipeline").register(pipeline), {
          pipeline: pipeline.name,
          partition: "file:aapl-quotes.json",
          trigger: "cli",
        });
      }).pipe(Effect.provide(TestContext.TestContext)),
    );
    expect(result.counts.written).toBe(quotes.length);
    const gaps = await anomaliesOf("file:aapl-quotes.json", "TIME_GAP");
    expect(gaps.map((g) => g.message)).toEqual([
      `Time gap detected: AAPL 125 minutes between ${new Date(open + 85 * MINUTE).toISOString()} and ${new Date(open + 210 * MINUTE).toISOString()}`,
    ]);
    const [late] = await anomaliesOf("file:aapl-quotes.json", "LATENCY_BREACH");
    expect(late?.message).toMatch(/^Latency breach: data delayed by 150\.0 minutes/);
  });

  it("FINRA weekly file: a tier whose weekly share volume jumps tenfold is a VolumeShift", async () => {
    const mondays = Array.from({ length: 14 }, (_, i) =>
      new Date(Date.UTC(2025, 0, 6 + 7 * i)).toISOString().slice(0, 10),
    );
    const lines = [
      "tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate|weekStartDate",
    ];
    mondays.forEach((monday, w) => {
      const factor = w === 12 ? 10 : 1;
      for (const [symbol, mpid, base] of [
        ["AAPL", "CDRG", 25_000_000],
        ["AAPL", "UBSA", 10_000_000],
        ["MSFT", "CDRG", 12_000_000],
      ] as const) {
        const shares = Math.round(base * factor * (1 + ((w * 7) % 5) / 50));
        lines.push(
          `NMS Tier 1|${symbol}|${symbol} Inc.|A FIRM LLC|${mpid}|${shares}|${Math.round(shares / 200)}|2025-04-30|${monday}`,
        );
      }
    });
    const path = await file("finra-weeks.psv", `${lines.join("\n")}\n`);
    const result = await ingestThroughRunner(setup.db.url, "finra_otc_weekly", path);
    expect(result.counts).toMatchObject({ valid: 42, written: 42 });
    const found = await anomaliesOf("file:finra-weeks.psv", "VOLUME_SHIFT");
    // Week 13 ends Friday 4 April 2025.
    expect(found.map((a) => String(a.observed_at).slice(0, 10))).toEqual(["2025-04-04"]);
    expect(String(found[0]?.message)).toMatch(/^Volume anomaly: NMS_TIER_1 weekly shares /);
  });
});

describe("detection on a backfill", () => {
  it("judges backfilled trade partitions against the trades a file ingest stored", async () => {
    const history = tradingDaysBetween("2025-01-02", "2025-02-06");
    await ingestThroughRunner(
      setup.db.url,
      "execution_csv",
      await file(
        "client-h.csv",
        executions("CLIENT_H", history, () => 600),
      ),
    );
    const report = await setup.ok(
      Effect.gen(function* () {
        const plan = yield* planBackfill(PIPELINES, {
          pipeline: "trade_data.ingest_trades",
          start: "2025-02-07",
          end: "2025-02-07",
          params: { client: "CLIENT_H" },
        });
        return yield* executeBackfill(PIPELINES, plan, { backfillId: newBackfillId(new Date()) });
      }),
    );
    expect(report.partitions.map((p) => p.status)).toEqual(["complete"]);
    const written = report.partitions[0]?.counts.written ?? 0;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(100);
    // The demo feed's 20-60 trades after sessions of 600: a drop the file's history shows.
    const [drop] = await anomaliesOf("2025-02-07|CLIENT_H", "VOLUME_SHIFT");
    expect(drop?.message).toMatch(
      new RegExp(`^Volume anomaly: CLIENT_H trades ${written} vs median 600 \\(-9\\d\\.\\d%\\)$`),
    );
  });
});
