/**
 * `dataspine ingest` as a real child process against a temp libSQL file.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataspine, ingestArgs } from "../fixtures/cli";
import { query, sourceFixture } from "../fixtures/sources";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

describe("dataspine ingest", { timeout: 60_000 }, () => {
  it("--json prints one document with status, capture id and counts; re-ingest is idempotent", async () => {
    const file = sourceFixture("executions-bad.csv");
    const first = await dataspine(db.url, ...ingestArgs("execution_csv", file, "--json"));
    // 8 of 10 records break a contract: the gate fails the run (exit 1), the 2 valid rows stay.
    expect(first.code).toBe(1);
    const doc = JSON.parse(first.stdout);
    expect(doc).toMatchObject({
      status: "failed",
      // The gate's figures, as the run result carries them (quality-gates.test.ts).
      error: {
        tag: "QualityGateFailed",
        retryable: false,
        gate: { ratio: 0.8, threshold: 0.05, received: 10, valid: 2, quarantined: 8 },
      },
      pipeline: "trade_data.ingest_execution_csv",
      partition: "file:executions-bad.csv",
      source: "execution_csv",
      counts: { received: 10, valid: 2, quarantined: 8, written: 2 },
    });
    expect(doc.capture_id).toMatch(/^trade_data\.INGEST\.file:executions-bad\.csv\.\d{8}T\d{6}Z$/);

    const second = await dataspine(db.url, ...ingestArgs("execution_csv", file, "--json"));
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout).counts).toEqual(doc.counts);
    const [trades] = await query(db.url, "SELECT count(*) AS n FROM trades");
    const [quarantine] = await query(db.url, "SELECT count(*) AS n FROM core_quarantine");
    expect([Number(trades?.n), Number(quarantine?.n)]).toEqual([2, 8]);
    const manifest = await query(
      db.url,
      "SELECT status, row_count FROM core_manifest WHERE capture_id = ?",
      [doc.capture_id],
    );
    expect(manifest).toEqual([expect.objectContaining({ status: "failed", row_count: 2 })]);
  });

  it("takes --partition, and prints a human summary without --json", async () => {
    const result = await dataspine(
      db.url,
      ...ingestArgs(
        "finra_otc_weekly",
        sourceFixture("finra-weekly.psv"),
        "--partition",
        "2025-01-10|NMS_TIER_1",
      ),
    );
    // Two bad lines of five: written, but the quality gate fails the run and says why.
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("failed finra_otc_weekly");
    expect(result.stdout).toContain("received 5, valid 3, quarantined 2, written 3");
    expect(result.stdout).toContain(
      "error [QualityGateFailed] quality gate: 2 of 5 records quarantined (40% > 5%)",
    );
  });

  it("exits 1 with the typed error when the payload is unreadable", async () => {
    const path = join(db.dir, "not-json.json");
    await writeFile(path, "<html>oops</html>");
    const result = await dataspine(db.url, ...ingestArgs("iex_quote", path, "--json"));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: "failed",
      error: { tag: "PermanentSourceError", retryable: false },
    });
  });

  it("reads a pipe front to back (`--file /dev/stdin`, `<(zcat …)`) like the file it carries", async () => {
    // A database of its own: the partition listing below counts what `db` holds.
    const own = await makeTempDb();
    try {
      const file = sourceFixture("executions.csv");
      const fromFile = await dataspine(own.url, ...ingestArgs("execution_csv", file, "--json"));
      const fifo = join(own.dir, "executions.fifo");
      execFileSync("mkfifo", [fifo]);
      createWriteStream(fifo).end(await readFile(file));
      const fromPipe = await dataspine(
        own.url,
        ...ingestArgs("execution_csv", fifo, "--partition", "file:executions.csv", "--json"),
      );
      expect(fromPipe.code).toBe(0);
      const [first, second] = [JSON.parse(fromFile.stdout), JSON.parse(fromPipe.stdout)];
      expect(second).toMatchObject({ status: "complete", partition: first.partition });
      expect(second.counts).toEqual(first.counts);
      expect(second.counts.written).toBeGreaterThan(0);
    } finally {
      await own.cleanup();
    }
  });

  it("exits 2 on bad usage", async () => {
    const unknown = await dataspine(db.url, "ingest", "--source", "nope", "--file", "x.csv");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("ingest needs --source, one of: iex_quote, polygon_aggs");
    const noFile = await dataspine(db.url, "ingest", "--source", "execution_csv");
    expect(noFile.code).toBe(2);
  });
});

describe("dataspine partitions of ad-hoc ingests", { timeout: 60_000 }, () => {
  const partitions = async (pipeline: string) => {
    const result = await dataspine(db.url, "partitions", pipeline, "--json");
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as Array<{ partition_key: string; status: string }>;
  };

  it("lists <domain>.ingest_<source> apart from the pipeline sharing its domain and stage", async () => {
    const trades = await dataspine(
      db.url,
      "run",
      "trade_data.ingest_trades",
      "--partition",
      "2025-01-02|CLIENT_A",
      "--json",
    );
    expect(trades.code).toBe(0);
    // The first test's ingest of executions-bad.csv: failed at its gate.
    expect(await partitions("trade_data.ingest_execution_csv")).toEqual([
      expect.objectContaining({ partition_key: "file:executions-bad.csv", status: "failed" }),
    ]);
    expect(await partitions("trade_data.ingest_trades")).toEqual([
      expect.objectContaining({ partition_key: "2025-01-02|CLIENT_A", status: "complete" }),
    ]);
    const finra = await dataspine(db.url, "partitions", "finra_otc.ingest_finra_otc_weekly");
    expect(finra.stdout).toMatch(/^2025-01-10\|NMS_TIER_1\tfailed\t3\t/);
    const unknown = await dataspine(db.url, "partitions", "trade_data.ingest_nothing");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("trade_data.ingest_execution_csv");
  });
});
