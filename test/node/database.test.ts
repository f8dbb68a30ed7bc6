/**
 * The embedded database's start-up: migrations applied once even when several processes open
 * a fresh file at the same moment (two CLI commands started together).
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { LIBSQL_MIGRATIONS } from "../../src/node/database";
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
