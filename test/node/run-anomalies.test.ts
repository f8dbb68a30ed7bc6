/**
 * Errors in one place: network failures after the run's retries, dead letters and detector
 * crashes land in `core_anomalies` with the seed's categories and are resolved by a later good
 * run; filters take the seed's severity names; migration 0011 moves the old rule names out of
 * `category` without changing anomaly ids.
 */
import { createClient } from "@libsql/client";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSeverity } from "../../src/core/model/anomaly-vocabulary";
import { runPipeline } from "../../src/core/pipeline/runner";
import { anomalyId, listAnomalies } from "../../src/core/store/anomalies";
import { detectionStep } from "../../src/detectors/record";
import { PIPELINES } from "../../src/domains/registry";
import { LIBSQL_MIGRATIONS, migrateDatabase, openDatabase } from "../../src/node/database";
import { nodePipelineLayer } from "../../src/node/runtime";
import { dataspine } from "../fixtures/cli";
import {
  type ScriptedAnswer,
  type ScriptedFeed,
  startScriptedFeed,
} from "../fixtures/scripted-feed";
import { testContext } from "../fixtures/sources";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
let feed: ScriptedFeed;
let script: (path: string, count: number) => ScriptedAnswer = () => undefined;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startScriptedFeed((path, count) => script(path, count));
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const layer = () =>
  nodePipelineLayer({
    db: { url: db.url },
    vars: { MARKET_DATA_BASE_URL: feed.url, RETRY_BASE_DELAY_MS: "1", RETRY_MAX_ATTEMPTS: "2" },
    logLevel: LogLevel.None,
  });

const runTrades = async (partition: string, finalAttempt = true) => {
  const exit = await Effect.runPromiseExit(
    runPipeline(PIPELINES, {
      pipeline: "trade_data.ingest_trades",
      partition,
      trigger: "cli",
      finalAttempt,
    }).pipe(Effect.provide(layer())),
  );
  if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
  return exit.value;
};

const runAnomalies = (partition: string) =>
  query(
    db.url,
    "SELECT rule, category, severity, message, metadata, resolved_at FROM core_anomalies WHERE partition_key = ? AND rule IN ('NETWORK_FAILURE', 'DEAD_LETTER') ORDER BY rule",
    [partition],
  );

const csv = (client: string, date: string) =>
  [
    "trade_id,client_id,symbol,side,quantity,price,timestamp,venue",
    `N-1,${client},AAPL,BUY,100,240.5,${date}T15:00:00Z,XNAS`,
    `N-2,${client},AAPL,SELL,100,240.6,${date}T15:01:00Z,XNAS`,
  ].join("\n");

describe("source failures in core_anomalies", { timeout: 60_000 }, () => {
  it("a network failure after the run's retries is NETWORK; dead-lettered, a DEAD_LETTER; a good run resolves both", async () => {
    const partition = "2025-01-03|CLIENT_NET";
    let down = true;
    script = (path) =>
      path.endsWith("/2025-01-03/CLIENT_NET.csv")
        ? down
          ? { status: 503, body: "busy", headers: { "retry-after": "0" } }
          : { status: 200, body: csv("CLIENT_NET", "2025-01-03") }
        : undefined;
    // An actor's alarm will retry: no dead letter yet, a MEDIUM network anomaly.
    const retried = await runTrades(partition, false);
    expect(retried).toMatchObject({ status: "failed", error: { retryable: true } });
    expect(retried.dead_letter_id).toBeUndefined();
    let found = await runAnomalies(partition);
    expect(found.map((a) => [a.rule, a.category, a.severity, a.resolved_at])).toEqual([
      ["NETWORK_FAILURE", "NETWORK", "MEDIUM", null],
    ]);
    expect(JSON.parse(String(found[0]?.metadata))).toMatchObject({
      reason: "status",
      attempts: 2,
      error_tag: "TransientSourceError",
    });

    // The last attempt: the request is dead-lettered, and so is the anomaly's category.
    const dead = await runTrades(partition);
    expect(dead.dead_letter_id).toMatch(/^dl_/);
    found = await runAnomalies(partition);
    expect(found.map((a) => [a.rule, a.category, a.severity])).toEqual([
      ["DEAD_LETTER", "NETWORK", "HIGH"],
      ["NETWORK_FAILURE", "NETWORK", "MEDIUM"],
    ]);
    expect(JSON.parse(String(found[0]?.metadata))).toMatchObject({
      dead_letter_id: dead.dead_letter_id,
      status: 503,
    });

    down = false;
    const ok = await runTrades(partition);
    expect(ok.status).toBe("complete");
    found = await runAnomalies(partition);
    expect(found.every((a) => a.resolved_at !== null)).toBe(true);
    script = () => undefined;
  });

  it("a permanent failure (HTTP 404) is dead-lettered as VALIDATION", async () => {
    script = (path) =>
      path.endsWith("/CLIENT_GONE.csv") ? { status: 404, body: "no such client" } : undefined;
    const failed = await runTrades("2025-01-03|CLIENT_GONE");
    expect(failed.error).toMatchObject({ tag: "PermanentSourceError", retryable: false });
    const found = await runAnomalies("2025-01-03|CLIENT_GONE");
    expect(found.map((a) => [a.rule, a.category, a.severity])).toEqual([
      ["DEAD_LETTER", "VALIDATION", "HIGH"],
    ]);
    expect(String(found[0]?.message)).toContain("HTTP 404");
    script = () => undefined;
  });
});

describe("detector crashes", () => {
  it("a failed detection step records DETECTOR_ERROR (DATA_QUALITY); the next good step resolves it", async () => {
    const ctx = testContext("market_data", "2025-01-06|demo");
    const crash = await Effect.runPromise(
      detectionStep(ctx, Effect.die(new Error("volume model exploded"))).pipe(
        Effect.provide(layer()),
      ),
    );
    expect(crash.error).toContain("volume model exploded");
    const rows = () =>
      query(
        db.url,
        "SELECT rule, category, severity, message, resolved_at FROM core_anomalies WHERE partition_key = '2025-01-06|demo' AND rule = 'DETECTOR_ERROR'",
      );
    const [row] = await rows();
    expect(row).toMatchObject({ category: "DATA_QUALITY", severity: "HIGH", resolved_at: null });
    expect(String(row?.message)).toContain("volume model exploded");

    const later = { ...ctx, capturedAt: new Date(Date.now() + 1000).toISOString() };
    await Effect.runPromise(
      detectionStep(later, Effect.succeed({ anomalies: 0, by_rule: {}, resolved: 0 })).pipe(
        Effect.provide(layer()),
      ),
    );
    const [resolved] = await rows();
    expect(resolved?.resolved_at).toBe(later.capturedAt);
  });
});

describe("filters speak the seed's severities and categories", { timeout: 60_000 }, () => {
  it("WARN means MEDIUM and up, ERROR means HIGH and up; category filters by the seed's word", async () => {
    expect(["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "high", "x"].map(parseSeverity)).toEqual([
      "LOW",
      "LOW",
      "MEDIUM",
      "HIGH",
      "CRITICAL",
      "HIGH",
      undefined,
    ]);
    const list = (filter: Parameters<typeof listAnomalies>[0]) =>
      Effect.runPromise(listAnomalies(filter).pipe(Effect.provide(layer())));
    const errors = await list({ severity: "HIGH" });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((a) => a.severity === "HIGH" || a.severity === "CRITICAL")).toBe(true);
    const network = await list({ category: "NETWORK" });
    expect(new Set(network.map((a) => a.rule))).toEqual(
      new Set(["DEAD_LETTER", "NETWORK_FAILURE"]),
    );

    const cli = await dataspine(
      db.url,
      "anomalies",
      "--severity",
      "WARN",
      "--category",
      "network",
      "--json",
    );
    expect(cli.code).toBe(0);
    const rows = JSON.parse(cli.stdout) as Array<{
      rule: string;
      category: string;
      severity: string;
    }>;
    expect(rows.length).toBe(network.length);
    expect(rows.every((r) => r.category === "NETWORK" && r.severity !== "LOW")).toBe(true);
    const bad = await dataspine(db.url, "anomalies", "--severity", "LOUD");
    expect(bad.code).toBe(2);
    expect(bad.stderr + bad.stdout).toContain("DEBUG, INFO, WARN, ERROR");
  });
});

describe("migration 0011", () => {
  it("moves the rule out of category, maps category to the seed's, keeps the id", async () => {
    const old = await makeTempDb();
    try {
      const client = createClient({ url: old.url });
      const migrations = readMigrationFiles({ migrationsFolder: LIBSQL_MIGRATIONS });
      // Every migration before 0011_anomaly_rule, applied as drizzle does.
      const before = migrations.slice(
        0,
        migrations.findIndex((m) => m.sql.some((q) => q.includes("ADD `rule`"))),
      );
      expect(before.length).toBeGreaterThan(5);
      await client.execute(
        `CREATE TABLE "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`,
      );
      for (const m of before) {
        for (const statement of m.sql) if (statement.trim() !== "") await client.execute(statement);
        await client.execute({
          sql: `INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)`,
          args: [m.hash, m.folderMillis],
        });
      }
      const ctx = testContext("market_data", "2025-01-06|demo");
      const id = await Effect.runPromise(anomalyId(ctx, "VOLUME_SHIFT", "AAPL"));
      const insert = (anomaly: string, category: string) =>
        client.execute({
          sql: "INSERT INTO core_anomalies (anomaly_id, domain, stage, partition_key, severity, category, message, detected_at) VALUES (?, 'market_data', 'INGEST', '2025-01-06|demo', 'LOW', ?, 'm', '2025-01-06T00:00:00.000Z')",
          args: [anomaly, category],
        });
      await insert(id, "VOLUME_SHIFT");
      await insert("anom_gate", "QUALITY_GATE");
      client.close();

      const opened = await openDatabase({ url: old.url });
      await migrateDatabase(opened);
      opened.$client.close();
      const rows = await query(
        old.url,
        "SELECT anomaly_id, rule, category FROM core_anomalies ORDER BY rule",
      );
      expect(rows.map((r) => [r.anomaly_id, r.rule, r.category])).toEqual([
        ["anom_gate", "QUALITY_GATE", "QUALITY_GATE"],
        [id, "VOLUME_SHIFT", "DATA_QUALITY"],
      ]);
    } finally {
      await old.cleanup();
    }
  });
});
