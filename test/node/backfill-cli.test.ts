/**
 * `dataspine backfill` end to end, in child processes against a temp libSQL file.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackfillReport } from "../../src/core/backfill/backfill";
import { parseParams, UsageError } from "../../src/node/commands/shared";
import { type ScriptedFeed, startScriptedFeed } from "../fixtures/scripted-feed";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const BIN = fileURLToPath(new URL("../../bin/dataspine.mjs", import.meta.url));
const PIPELINE = "market_data.ingest_prices";
/** Mon 6 … Sun 12 January 2025: the 9th was a NYSE closure (President Carter's funeral). */
const WEEK = ["--start", "2025-01-06", "--end", "2025-01-12", "--param", "universe=demo"];

/** Each child compiles the CLI with tsx first: seconds, more on a busy machine. */
const CHILD_TIMEOUT_MS = 120_000;

let db: TempDb;
let feed: ScriptedFeed;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startScriptedFeed((path) =>
    path.endsWith("/2025-01-08/2025-01-08") ? { status: 404, body: "{}" } : undefined,
  );
});

afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI; without `feedUrl` it starts its own in-process demo feed. */
const cli = (args: ReadonlyArray<string>, options: { feedUrl?: string; dbUrl?: string } = {}) => {
  const env: NodeJS.ProcessEnv = { ...process.env, LIBSQL_URL: options.dbUrl ?? db.url };
  delete env.MARKET_DATA_BASE_URL;
  if (options.feedUrl) env.MARKET_DATA_BASE_URL = options.feedUrl;
  return new Promise<Outcome>((resolve) => {
    execFile(process.execPath, [BIN, "backfill", ...args], { env }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
};

describe("dataspine backfill", () => {
  it("runs a week with a weekend and a closure: --json prints one document", {
    timeout: CHILD_TIMEOUT_MS,
  }, async () => {
    const out = await cli([PIPELINE, ...WEEK, "--concurrency", "2", "--json"]);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(out.stdout) as BackfillReport;
    expect(report).toMatchObject({
      pipeline: PIPELINE,
      start: "2025-01-06",
      end: "2025-01-12",
      params: { universe: "demo" },
      status: "complete",
      total: 7,
      complete: 4,
      no_data_expected: 3,
      failed: 0,
      failures: [],
    });
    expect(report.partitions.map((p) => `${p.partition} ${p.status}`)).toEqual([
      "2025-01-06|demo complete",
      "2025-01-07|demo complete",
      "2025-01-08|demo complete",
      "2025-01-09|demo no_data_expected",
      "2025-01-10|demo complete",
      "2025-01-11|demo no_data_expected",
      "2025-01-12|demo no_data_expected",
    ]);
    // stderr is not a TTY here: plain progress lines, the last one at 100%.
    expect(out.stderr).toMatch(/backfill 7\/7 \(100%\): complete 4, no_data_expected 3, failed 0/);
    expect(out.stderr).not.toContain("\r");
  });

  it("--dry-run lists the partitions in order and runs nothing", {
    timeout: CHILD_TIMEOUT_MS,
  }, async () => {
    const untouched = join(db.dir, "never-created.db");
    const [human, json] = await Promise.all([
      cli([PIPELINE, ...WEEK, "--dry-run"], { dbUrl: `file:${untouched}` }),
      cli([PIPELINE, ...WEEK, "--dry-run", "--json"], { dbUrl: `file:${untouched}` }),
    ]);
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split("\n");
    expect(lines[0]).toContain("7 partitions");
    expect(lines.slice(1)).toEqual([
      "2025-01-06|demo",
      "2025-01-07|demo",
      "2025-01-08|demo",
      "2025-01-09|demo",
      "2025-01-10|demo",
      "2025-01-11|demo",
      "2025-01-12|demo",
    ]);
    expect(JSON.parse(json.stdout)).toMatchObject({ dry_run: true, total: 7 });
    expect(existsSync(untouched)).toBe(false);
  });

  it("a failing partition is reported with its error, the rest complete, exit 1", {
    timeout: CHILD_TIMEOUT_MS,
  }, async () => {
    const out = await cli([PIPELINE, ...WEEK], { feedUrl: feed.url });
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("total 7, complete 3, no_data_expected 3, failed 1");
    expect(out.stdout).toMatch(/2025-01-08\|demo {2}\[PermanentSourceError\] .*HTTP 404/);
  });

  it("bad usage and bad input exit 2", { timeout: CHILD_TIMEOUT_MS }, async () => {
    const [reversed, ...usage] = await Promise.all([
      cli([PIPELINE, "--start", "2025-01-12", "--end", "2025-01-06", "--json"]),
      cli([PIPELINE, "--start", "2025-01-06"]),
      cli([PIPELINE, ...WEEK, "--concurrency", "0"]),
    ]);
    expect(reversed.code).toBe(2);
    expect(JSON.parse(reversed.stdout)).toEqual({
      error: "InvalidBackfillRange",
      message: "start 2025-01-12 is after end 2025-01-06",
    });
    for (const bad of usage) {
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("usage:");
    }
  });

  it("--param pairs: k=v, values may contain '=', no repeats", () => {
    expect(parseParams(["universe=demo", "expr=a=b"])).toEqual({ universe: "demo", expr: "a=b" });
    expect(() => parseParams(["novalue"])).toThrow(UsageError);
    expect(() => parseParams(["=x"])).toThrow(UsageError);
    expect(() => parseParams(["a=1", "a=2"])).toThrow("given twice");
  });
});
