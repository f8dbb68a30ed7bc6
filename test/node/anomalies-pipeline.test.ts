/**
 * Detection end to end in Node: the demo feed with injected anomalies → the market-data
 * pipeline → `core_anomalies` (deduplicated, resolved when gone) → the `anomalies` CLI, and
 * the cron's MissingData check over `core_expected_schedules`.
 */
import { Effect, TestClock, TestContext } from "effect";
import { beforeAll, describe, expect, it } from "vitest";
import { tradingDaysBetween } from "../../src/calendar/nyse";
import { appConfigFromVars } from "../../src/core/config/app-config";
import { runPipeline } from "../../src/core/pipeline/runner";
import { listAnomalies, recordAnomalies } from "../../src/core/store/anomalies";
import { checkMissingData } from "../../src/detectors/missing-data-check";
import { PIPELINES } from "../../src/domains/registry";
import { dataspine } from "../fixtures/cli";
import { usePipelineDb } from "../fixtures/pipeline-db";
import { testContext } from "../fixtures/sources";

const PIPELINE = "market_data.ingest_prices";
const INJECTED = [
  { kind: "volume_spike", symbol: "AAPL", date: "2025-06-10", factor: 8 },
  { kind: "missing_bar", symbol: "MSFT", date: "2025-06-11" },
] as const;

const setup = usePipelineDb({ anomalies: INJECTED });
const { query } = setup;
const layer = () => setup.layer();

const run = async (date: string) => {
  const result = await setup.runOk(PIPELINE, `${date}|demo`);
  expect(result.status).toBe("complete");
  return result;
};

const rowsOf = (rule: string, partition: string) =>
  query("SELECT * FROM core_anomalies WHERE rule = ? AND partition_key = ? ORDER BY anomaly_id", [
    rule,
    partition,
  ]);

/** A cron's run at `now` (the test clock): the partition is today's live one. */
const runAt = (now: number, partition: string) =>
  setup.ok(
    Effect.gen(function* () {
      yield* TestClock.setTime(now);
      return yield* runPipeline(PIPELINES, { pipeline: PIPELINE, partition, trigger: "cron" });
    }).pipe(Effect.provide(TestContext.TestContext)),
  );

beforeAll(async () => {
  for (const date of tradingDaysBetween("2025-05-23", "2025-06-13")) await run(date);
}, 120_000);

describe("anomaly detection in market_data.ingest_prices", () => {
  it("finds each injected anomaly, with rule, severity, partition, capture and context", async () => {
    const [spike] = await rowsOf("VOLUME_SHIFT", "2025-06-10|demo");
    expect(spike).toMatchObject({
      pipeline: PIPELINE,
      domain: "market_data",
      observed_at: "2025-06-10T04:00:00.000Z",
      resolved_at: null,
    });
    expect(String(spike?.capture_id)).toMatch(
      /^market_data\.INGEST\.2025-06-10\|demo\.\d{8}T\d{6}Z$/,
    );
    expect(String(spike?.message)).toMatch(
      /^Volume anomaly: AAPL [\d,]+ vs median [\d,]+ \(\+\d+\.\d%\)$/,
    );
    expect(JSON.parse(String(spike?.metadata)).context).toMatchObject({
      series: "AAPL",
      method: "robust",
    });

    const missing = await rowsOf("MISSING_DATA", "2025-06-11|demo");
    expect(missing.map((r) => r.message)).toEqual([
      "Missing data: expected a valid daily bar for MSFT on 2025-06-11 (NYSE session), none received",
    ]);
    const gaps = await query(
      "SELECT partition_key, message FROM core_anomalies WHERE rule = 'TIME_GAP'",
    );
    expect(gaps).toEqual([
      expect.objectContaining({
        partition_key: "2025-06-12|demo",
        message:
          "Time gap detected: MSFT has 1 trading session(s) missing between 2025-06-10 and 2025-06-12",
      }),
    ]);
  });

  it("stays under 5% false positives on the clean sessions", async () => {
    const [count] = await query(
      "SELECT count(*) AS n FROM core_anomalies WHERE NOT (partition_key IN ('2025-06-10|demo', '2025-06-11|demo', '2025-06-12|demo'))",
    );
    const [bars] = await query("SELECT count(*) AS n FROM market_prices");
    expect(Number(bars?.n)).toBeGreaterThan(250);
    expect(Number(count?.n) / Number(bars?.n)).toBeLessThan(0.05);
  });

  it("stores the same anomaly found by two runs once, keeping its first detection time", async () => {
    const [before] = await rowsOf("VOLUME_SHIFT", "2025-06-10|demo");
    const again = await run("2025-06-10");
    const after = await rowsOf("VOLUME_SHIFT", "2025-06-10|demo");
    expect(after).toHaveLength(1);
    expect(after[0]?.anomaly_id).toBe(before?.anomaly_id);
    expect(after[0]?.detected_at).toBe(before?.detected_at);
    expect(after[0]?.capture_id).toBe(again.capture_id);
  });

  it("resolves anomalies a later run no longer finds", async () => {
    setup.demo.setAnomalies([]);
    await run("2025-06-11");
    await run("2025-06-12");
    const [missing] = await rowsOf("MISSING_DATA", "2025-06-11|demo");
    const [gap] = await rowsOf("TIME_GAP", "2025-06-12|demo");
    expect(missing?.resolved_at).not.toBeNull();
    expect(gap?.resolved_at).not.toBeNull();
    await run("2025-06-10");
    const [spike] = await rowsOf("VOLUME_SHIFT", "2025-06-10|demo");
    expect(spike?.resolved_at).not.toBeNull();
    setup.demo.setAnomalies([...INJECTED]);
    await run("2025-06-10");
    const [reopened] = await rowsOf("VOLUME_SHIFT", "2025-06-10|demo");
    expect(reopened?.resolved_at).toBeNull();
  });

  it("reports a partition the cron expected and never got, after 2× the interval, then resolves it", async () => {
    const config = appConfigFromVars({}).sources;
    // The market-data schedule's findings (FINRA's weekly row reports its own weeks).
    const check = (nowIso: string) =>
      Effect.runPromise(
        checkMissingData(PIPELINES.list(), config, Date.parse(nowIso)).pipe(
          Effect.provide(layer()),
          Effect.map((report) => ({
            missing: report.missing.filter((m) => m.pipeline === PIPELINE),
          })),
        ),
      );
    // Monday 16 June is due by 17:00 EDT; it is missing once Tuesday's delivery is due too
    // (17:00 + 1 h tolerance = 22:00 UTC). The weekend before expects nothing.
    expect((await check("2025-06-17T21:00:00Z")).missing).toEqual([]);
    const report = await check("2025-06-17T23:00:00Z");
    expect(report.missing).toEqual([{ pipeline: PIPELINE, partition: "2025-06-16|demo" }]);
    const [row] = await rowsOf("MISSING_DATA", "2025-06-16|demo");
    expect(row).toMatchObject({ severity: "LOW", resolved_at: null, pipeline: PIPELINE });
    await run("2025-06-16");
    const [resolved] = await rowsOf("MISSING_DATA", "2025-06-16|demo");
    expect(resolved?.resolved_at).not.toBeNull();
    expect((await check("2025-06-17T23:30:00Z")).missing).toEqual([]);
  });

  it("lists anomalies from the CLI as one JSON array, and resolves one", async () => {
    const list = await dataspine(
      setup.db.url,
      "anomalies",
      "--json",
      "--pipeline",
      PIPELINE,
      "--unresolved",
    );
    expect(list.code).toBe(0);
    const anomalies = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    const spike = anomalies.find(
      (a) => a.rule === "VOLUME_SHIFT" && a.partition_key === "2025-06-10|demo",
    );
    expect(spike).toMatchObject({
      severity: expect.stringMatching(/^(LOW|MEDIUM|HIGH|CRITICAL)$/),
      message: expect.stringContaining("AAPL"),
      context: expect.objectContaining({ series: "AAPL" }),
    });
    const human = await dataspine(
      setup.db.url,
      "anomalies",
      "--rule",
      "VOLUME_SHIFT",
      "--partition",
      "2025-06-10|demo",
    );
    expect(human.stdout).toMatch(/^1 anomaly: 1 (LOW|MEDIUM|HIGH|CRITICAL)\n/);
    expect(human.stdout).toMatch(
      /\[(LOW|MEDIUM|HIGH|CRITICAL)\] VOLUME_SHIFT at 2025-06-10 04:00:00 UTC: Volume anomaly: AAPL /,
    );

    const resolved = await dataspine(
      setup.db.url,
      "anomalies",
      "resolve",
      String(spike?.anomaly_id),
      "--json",
    );
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({
      anomaly_id: spike?.anomaly_id,
      resolved_at: expect.any(String),
    });
    const open = await Effect.runPromise(
      listAnomalies({ unresolved: true, rule: "VOLUME_SHIFT", partition: "2025-06-10|demo" }).pipe(
        Effect.provide(layer()),
      ),
    );
    expect(open).toEqual([]);
    const unknown = await dataspine(setup.db.url, "anomalies", "resolve", "anom_nope");
    expect(unknown.code).toBe(2);
  });

  it("filters with the seed's words from the CLI: WARN is MEDIUM and up, network a category", async () => {
    const ctx = testContext("trade_data", "2025-01-03|CLIENT_NET");
    const network = (rule: string, severity: "LOW" | "MEDIUM" | "HIGH", key: string) =>
      ({ rule, category: "NETWORK", severity, key, message: `${rule} ${key}` }) as const;
    await setup.ok(
      recordAnomalies(ctx, [
        network("NETWORK_FAILURE", "MEDIUM", "a"),
        network("DEAD_LETTER", "HIGH", "b"),
        network("NETWORK_FAILURE", "LOW", "c"),
      ]),
    );
    const cli = await dataspine(
      setup.db.url,
      "anomalies",
      "--severity",
      "WARN",
      "--category",
      "network",
      "--json",
    );
    expect(cli.code).toBe(0);
    const rows = JSON.parse(cli.stdout) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.rule, r.category, r.severity]).sort()).toEqual([
      ["DEAD_LETTER", "NETWORK", "HIGH"],
      ["NETWORK_FAILURE", "NETWORK", "MEDIUM"],
    ]);
    const bad = await dataspine(setup.db.url, "anomalies", "--severity", "LOUD");
    expect(bad.code).toBe(2);
    expect(bad.stderr + bad.stdout).toContain("DEBUG, INFO, WARN, ERROR");
  });
});

describe("LatencyBreach in a live run", () => {
  it("fires when the live session is ingested later than 5 minutes after its data was available", async () => {
    // Wednesday 18 June 2025: the session closes 16:00 EDT and its bars are available at
    // 16:30 EDT (20:30 UTC). A run whose payload arrives at 20:40 UTC is 10 minutes late.
    const late = Date.parse("2025-06-18T20:40:00Z");
    const result = await runAt(late, "2025-06-18|demo");
    expect(result.status).toBe("complete");
    const [breach] = await rowsOf("LATENCY_BREACH", "2025-06-18|demo");
    expect(breach).toMatchObject({ severity: "HIGH", observed_at: "2025-06-18T20:30:00.000Z" });
    expect(breach?.message).toBe(
      "Latency breach: data delayed by 10.0 minutes (SLA 5 min; 20 record(s) from 2025-06-18T20:30:00.000Z)",
    );
    // Every other run in this file is a backfill (not the live session): never a breach.
    const [count] = await query(
      "SELECT count(*) AS n FROM core_anomalies WHERE rule = 'LATENCY_BREACH'",
    );
    expect(Number(count?.n)).toBe(1);
  });

  const cronRun = async (nowIso: string) => {
    const now = Date.parse(nowIso);
    const pipeline = PIPELINES.get(PIPELINE);
    const [partition] =
      pipeline?.livePartitions(new Date(now), appConfigFromVars({}).sources) ?? [];
    if (partition === undefined) throw new Error("no live partition");
    expect((await runAt(now, partition)).status).toBe("complete");
    return { partition, breaches: await rowsOf("LATENCY_BREACH", partition) };
  };

  it("raises none for Friday's data on the first cron tick of a Sunday (NYSE calendar)", async () => {
    // Sunday 22 June 2025, 10:00 New York: the latest closed session is Friday the 20th.
    const sunday = await cronRun("2025-06-22T14:00:00Z");
    expect(sunday.partition).toBe("2025-06-20|demo");
    expect(sunday.breaches).toEqual([]);
    // Tuesday 27 May 2025 after Memorial Day: Friday the 23rd caught up, not late either.
    const afterHoliday = await cronRun("2025-05-27T12:00:00Z");
    expect(afterHoliday.partition).toBe("2025-05-23|demo");
    expect(afterHoliday.breaches).toEqual([]);
  });

  it("measures an early close from 13:00: 3 July 2025 ingested at 13:40 New York is late", async () => {
    const { partition, breaches } = await cronRun("2025-07-03T17:40:00Z");
    expect(partition).toBe("2025-07-03|demo");
    expect(breaches).toHaveLength(1);
    expect(breaches[0]).toMatchObject({ observed_at: "2025-07-03T17:30:00.000Z" });
    expect(breaches[0]?.message).toMatch(/^Latency breach: data delayed by 10\.0 minutes/);
  });
});
