/**
 * The embedded database's start-up: migrations applied once even when several processes open
 * a fresh file at the same moment (two CLI commands started together); and a data migration
 * (0011) applied to rows an older schema wrote.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { Effect } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { anomalyId } from "../../src/core/store/anomalies";
import { LIBSQL_MIGRATIONS, migrateDatabase, openDatabase } from "../../src/node/database";
import { testContext } from "../fixtures/sources";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const CHILD = fileURLToPath(new URL("../fixtures/migrate-child.ts", import.meta.url));

const migrateInChild = (url: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, url], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });

let db: TempDb | undefined;
afterEach(async () => {
  await db?.cleanup();
});

describe("migrateDatabase", () => {
  it("lets four processes migrate one fresh file at once: each succeeds, each migration applied once", async () => {
    db = await makeTempDb();
    const url = db.url;
    const expected = readdirSync(LIBSQL_MIGRATIONS).filter((f) => f.endsWith(".sql")).length;
    const results = await Promise.all([1, 2, 3, 4].map(() => migrateInChild(url)));
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe(String(expected));
    }
    const applied = await query(url, `SELECT hash FROM "__drizzle_migrations"`);
    expect(applied).toHaveLength(expected);
    expect(new Set(applied.map((r) => r.hash)).size).toBe(expected);
    const tables = await query(url, "SELECT name FROM sqlite_master WHERE name = 'trades'");
    expect(tables).toHaveLength(1);
  }, 60_000);
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
