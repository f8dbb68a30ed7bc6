/**
 * `dataspine replay` and `dataspine diff` end to end, in child processes against a temp
 * libSQL file (the CLI starts the demo feed in-process).
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256Of } from "../../src/reconciliation/incremental-sha256";
import { dataspine } from "../fixtures/cli";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

/** Each child compiles the CLI with tsx first: seconds, more on a busy machine. */
const CHILD_TIMEOUT_MS = 120_000;
const RANGE = ["--start", "2025-02-10", "--end", "2025-02-14"];

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

const lines = async (path: string) =>
  (await readFile(path, "utf8")).split("\n").filter((l) => l.length > 0);

describe("dataspine replay", () => {
  it(
    "writes the same canonical JSONL and hash twice, universe demo by default",
    async () => {
      const outA = join(db.dir, "a.jsonl");
      const outB = join(db.dir, "b.jsonl");
      const [a, b] = await Promise.all([
        dataspine(db.url, "replay", "market_data.ingest_prices", ...RANGE, "--out", outA, "--json"),
        dataspine(db.url, "replay", "market_data.ingest_prices", ...RANGE, "--out", outB, "--json"),
      ]);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const ja = JSON.parse(a.stdout);
      const jb = JSON.parse(b.stdout);
      expect(ja).toMatchObject({
        partitions: 5,
        records: 100,
        output: outA,
        params: { universe: "demo" },
      });
      expect(jb.sha256).toBe(ja.sha256);
      const textA = await readFile(outA, "utf8");
      expect(await readFile(outB, "utf8")).toBe(textA);
      expect(sha256Of(textA)).toBe(ja.sha256);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "reconciles against a capture and records the hash in the manifest",
    async () => {
      const run = await dataspine(
        db.url,
        "run",
        "market_data.ingest_prices",
        "--partition",
        "2025-02-11|demo",
        "--json",
      );
      expect(run.code, run.stderr).toBe(0);
      const captureId = JSON.parse(run.stdout).capture_id as string;
      const out = join(db.dir, "r.jsonl");
      const replay = await dataspine(
        db.url,
        "replay",
        "market_data.ingest_prices",
        "--start",
        "2025-02-11",
        "--end",
        "2025-02-11",
        "--param",
        "universe=demo",
        "--reconcile",
        "--out",
        out,
        "--json",
      );
      expect(replay.code, replay.stderr).toBe(0);
      const summary = JSON.parse(replay.stdout);
      expect(summary.reconciliation).toEqual({
        partitions: 1,
        clean: 1,
        not_captured: [],
        mismatched: [],
      });
      expect(summary.by_partition[0]).toMatchObject({ capture_id: captureId });
      const [row] = await query(
        db.url,
        "SELECT json_extract(metadata, '$.replay.sha256') AS sha FROM core_manifest WHERE capture_id = ?",
        [captureId],
      );
      expect(row?.sha).toBe(summary.sha256);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "fails with the partition whose source failed, and leaves no output file",
    async () => {
      const out = join(db.dir, "failed.jsonl");
      process.env.MARKET_DATA_BASE_URL = "http://127.0.0.1:9";
      process.env.RETRY_MAX_ATTEMPTS = "1";
      try {
        const failed = await dataspine(
          db.url,
          "replay",
          "market_data.ingest_prices",
          ...RANGE,
          "--out",
          out,
          "--json",
        );
        expect(failed.code).toBe(1);
        expect(JSON.parse(failed.stdout)).toMatchObject({
          error: "ReplayPartitionFailed",
          message: expect.stringMatching(/^2025-02-1\d\|demo: polygon unreachable/),
        });
      } finally {
        delete process.env.MARKET_DATA_BASE_URL;
        delete process.env.RETRY_MAX_ATTEMPTS;
      }
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.partial`)).toBe(false);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "refuses a reversed range",
    async () => {
      const bad = await dataspine(
        db.url,
        "replay",
        "market_data.ingest_prices",
        "--json",
        "--start",
        "2025-02-14",
        "--end",
        "2025-02-10",
      );
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout)).toMatchObject({ error: "InvalidBackfillRange" });
    },
    CHILD_TIMEOUT_MS,
  );
});

describe("dataspine diff", () => {
  const KEY = ["--key", "symbol,trading_date"];
  const rows = [
    { symbol: "AAPL", trading_date: "2025-02-10", close: "150.00", volume: 10, capture_id: "c1" },
    { symbol: "MSFT", trading_date: "2025-02-10", close: "400", volume: 20, capture_id: "c1" },
    { symbol: "IBM", trading_date: "2025-02-10", close: "200", volume: 30, capture_id: "c1" },
  ];
  const write = async (name: string, records: ReadonlyArray<object>) => {
    const path = join(db.dir, name);
    await writeFile(path, records.map((r) => `${JSON.stringify(r)}\n`).join(""));
    return path;
  };

  it(
    "reports added, removed and exactly the modified field",
    async () => {
      const a = await write("old.jsonl", rows);
      const b = await write("new.jsonl", [
        { ...rows[0], close: "150.0", capture_id: "c2" },
        { ...rows[1], volume: 21, capture_id: "c2" },
        { symbol: "NVDA", trading_date: "2025-02-10", close: "120", volume: 5, capture_id: "c2" },
      ]);
      const result = await dataspine(db.url, "diff", a, b, ...KEY, "--json");
      expect(result.code, result.stderr).toBe(1);
      expect(JSON.parse(result.stdout)).toEqual({
        added: [
          { symbol: "NVDA", trading_date: "2025-02-10", close: "120", volume: 5, capture_id: "c2" },
        ],
        removed: [rows[2]],
        modified: [
          {
            key: { symbol: "MSFT", trading_date: "2025-02-10" },
            diffs: { volume: { old: 20, new: 21 } },
          },
        ],
        summary: { old: 3, new: 3, added: 1, removed: 1, modified: 1, unchanged: 1 },
        lines: { matching: 0, differing: 3 },
      });
      const human = await dataspine(db.url, "diff", a, b, ...KEY);
      expect(human.stdout).toContain(
        "MODIFIED (1)\n  symbol=MSFT trading_date=2025-02-10\n    volume: 20 → 21",
      );
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    "finds two replays of one range identical (exit 0) and rejects bad input (exit 2)",
    async () => {
      const a = join(db.dir, "a.jsonl");
      const b = join(db.dir, "b.jsonl");
      expect((await lines(a)).length).toBe(100);
      const same = await dataspine(
        db.url,
        "diff",
        a,
        b,
        "--key",
        "symbol,trading_date,source",
        "--json",
      );
      expect(same.code, same.stderr).toBe(0);
      expect(JSON.parse(same.stdout)).toMatchObject({
        added: [],
        removed: [],
        modified: [],
        lines: { matching: 100, differing: 0 },
      });

      const broken = join(db.dir, "broken.jsonl");
      await writeFile(broken, '{"symbol":"AAPL"}\nnot json\n');
      const bad = await dataspine(db.url, "diff", a, broken, ...KEY, "--json");
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).message).toContain("broken.jsonl:2");
      const noKey = await dataspine(db.url, "diff", a, b);
      expect(noKey.code).toBe(2);
    },
    CHILD_TIMEOUT_MS,
  );
});
