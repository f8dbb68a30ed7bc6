/**
 * Streaming in bounded memory: a large CSV (file or chunked HTTP body) is decoded and written
 * in fixed-size batches as records arrive. Asserts batch counts and sizes, not timings.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import type { InValue } from "@libsql/client";
import { Effect, Exit, Layer, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestLocation } from "../../src/core/ingest/ingest";
import { defaultRetryPolicy } from "../../src/core/ingest/retry";
import { parseSourceLocation } from "../../src/core/ingest/source";
import { DEFAULT_SOURCE_RUN_OPTIONS } from "../../src/core/ingest/source-run";
import { BulkWriter } from "../../src/db/bulk-upsert";
import { EXECUTION_CSV_COLUMNS } from "../../src/domains/trade_data/schema";
import { BulkWriterNodeLive } from "../../src/node/bulk-writer";
import { nodePipelineLayer } from "../../src/node/runtime";
import { ingestDirect, quarantineOf, query, sourceNamed, testContext } from "../fixtures/sources";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const ROWS = 200_000;
const BATCH = DEFAULT_SOURCE_RUN_OPTIONS.batchRows;
const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL"];
const START = Date.parse("2025-01-02T14:30:00Z");

/** Line `i` (0-based) of a generated execution CSV: monotonic, unique, valid. */
const line = (i: number, client = "CLIENT_BIG") =>
  [
    `T${String(i).padStart(7, "0")}`,
    client,
    SYMBOLS[i % SYMBOLS.length],
    i % 2 === 0 ? "BUY" : "SELL",
    100 + (i % 900),
    (100 + (i % 5000) / 100).toFixed(2),
    new Date(START + Math.floor(i / 10)).toISOString(),
    "XNAS",
  ].join(",");

const header = `${EXECUTION_CSV_COLUMNS.join(",")}\n`;

let db: TempDb;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  db = await makeTempDb();
  // A feed that writes a large body in many small chunks, generated as it goes.
  server = createServer((_, res) => {
    res.writeHead(200, { "content-type": "text/csv" });
    let i = 0;
    const pump = () => {
      while (i < 50_000) {
        const chunk = Array.from({ length: 500 }, () => line(i++, "CLIENT_HTTP")).join("\n");
        if (!res.write(`${i === 500 ? header : "\n"}${chunk}`)) return void res.once("drain", pump);
      }
      res.end("\n");
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.cleanup();
});

const writeLargeCsv = async (path: string) => {
  const out = createWriteStream(path);
  out.write(header);
  for (let start = 0; start < ROWS; start += 10_000) {
    const block = Array.from({ length: Math.min(10_000, ROWS - start) }, (_, k) => line(start + k));
    if (!out.write(`${block.join("\n")}\n`))
      await new Promise<void>((r) => out.once("drain", () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
};

describe("streaming ingestion", () => {
  it(`ingests a ${ROWS}-row CSV file in ${BATCH}-row batches`, async () => {
    const path = join(db.dir, "large.csv");
    await writeLargeCsv(path);
    const exit = await ingestDirect(db.url, "execution_csv", path);
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    const report = exit.value;
    expect(report.counts).toEqual({ received: ROWS, valid: ROWS, quarantined: 0, written: ROWS });
    expect(report.batches).toBe(ROWS / BATCH);
    expect(report.maxBatchRows).toBe(BATCH);
    const [row] = await query(
      db.url,
      "SELECT count(*) AS n, count(DISTINCT trade_id) AS ids, max(executed_at) AS last FROM trades WHERE client_id = 'CLIENT_BIG'",
    );
    expect(row).toMatchObject({
      n: ROWS,
      ids: ROWS,
      last: new Date(START + Math.floor((ROWS - 1) / 10)).toISOString(),
    });
  }, 120_000);

  it("batch size is a parameter: the last batch holds the remainder", async () => {
    const path = join(db.dir, "small.csv");
    const lines = Array.from({ length: 1_234 }, (_, i) => line(i, "CLIENT_SMALL"));
    await writeFile(path, `${header}${lines.join("\n")}`);
    const exit = await ingestDirect(db.url, "execution_csv", path, { run: { batchRows: 500 } });
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value).toMatchObject({ batches: 3, maxBatchRows: 500 });
    expect(exit.value.counts.written).toBe(1_234);
  });

  it("batches share write statements of at least writeRows rows; the last holds the rest", async () => {
    const path = join(db.dir, "shared.csv");
    const lines = Array.from({ length: 1_234 }, (_, i) => line(i, "CLIENT_SHARED"));
    await writeFile(path, `${header}${lines.join("\n")}`);
    // The real writer thread, recording how many trades each statement carries.
    const statements: Array<number> = [];
    const recording = Layer.effect(
      BulkWriter,
      Effect.map(BulkWriter, (real) => ({
        execute: (sql: string, args: ReadonlyArray<InValue>) => {
          if (sql.includes("INSERT INTO trades ") && args[0] instanceof Uint8Array) {
            statements.push(
              (JSON.parse(new TextDecoder().decode(args[0])) as Array<unknown>).length,
            );
          }
          return real.execute(sql, args);
        },
      })),
    ).pipe(Layer.provide(BulkWriterNodeLive(db.url) as Layer.Layer<BulkWriter>));
    const exit = await Effect.runPromiseExit(
      ingestLocation(
        sourceNamed("execution_csv"),
        parseSourceLocation(path),
        testContext("trade_data", "file:shared.csv"),
        {
          hints: {},
          timeoutMs: 15_000,
          retry: defaultRetryPolicy,
          run: { batchRows: 100, writeRows: 250 },
        },
      ).pipe(
        Effect.provide(NodeFileSystem.layer),
        Effect.provide(
          Layer.merge(
            nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None }),
            recording,
          ),
        ),
      ),
    );
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value).toMatchObject({ batches: 13, maxBatchRows: 100 });
    expect(exit.value.counts.written).toBe(1_234);
    expect(statements).toEqual([300, 300, 300, 300, 34]);
    const [row] = await query(
      db.url,
      "SELECT count(*) AS n FROM trades WHERE client_id = 'CLIENT_SHARED'",
    );
    expect(row?.n).toBe(1_234);
  });

  it("long malformed records are quarantined in writes bounded by characters, not only by count", async () => {
    const path = join(db.dir, "long-bad.csv");
    // 40 records of 50,000 characters with a field too many: far fewer than the 500 records
    // of a quarantine write, but 2 MB of raw text together.
    const long = Array.from(
      { length: 40 },
      (_, i) => `${line(i, "CLIENT_LONG")},${String(i % 10).repeat(50_000)}`,
    );
    await writeFile(path, `${header}${long.join("\n")}\n`);
    const budget = 200_000;
    const exit = await ingestDirect(db.url, "execution_csv", path, {
      run: { quarantineChars: budget },
    });
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value.counts).toEqual({ received: 40, valid: 0, quarantined: 40, written: 0 });
    // Held before a write: the budget plus what one 64 KiB file chunk can complete.
    expect(exit.value.maxQuarantineChars).toBeGreaterThanOrEqual(budget);
    expect(exit.value.maxQuarantineChars).toBeLessThan(budget + 2 * 50_100);
    const bad = await quarantineOf(db.url, "file:long-bad.csv");
    expect(bad.map((b) => b.index)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
    expect(bad.map((b) => b.raw)).toEqual(long);
    expect(bad.every((b) => b.reasons.some((r) => r.startsWith("MALFORMED_ROW")))).toBe(true);
  });

  it("ingests a chunked HTTP body as it streams", async () => {
    const exit = await ingestDirect(db.url, "execution_csv", `${baseUrl}/v1/executions/big.csv`);
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value.counts).toEqual({
      received: 50_000,
      valid: 50_000,
      quarantined: 0,
      written: 50_000,
    });
    expect(exit.value.batches).toBe(50_000 / BATCH);
  });

  it("a duplicate far from its original (another batch) is still caught", async () => {
    const path = join(db.dir, "dupes.csv");
    const lines = Array.from({ length: 12_000 }, (_, i) => line(i, "CLIENT_DUP"));
    lines.push(line(7, "CLIENT_DUP").replace(/,XNAS$/, ",XNYS"));
    await writeFile(path, `${header}${lines.join("\n")}\n`);
    const exit = await ingestDirect(db.url, "execution_csv", path);
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value.counts).toEqual({
      received: 12_001,
      valid: 12_000,
      quarantined: 1,
      written: 12_000,
    });
    const [kept] = await query(
      db.url,
      "SELECT venue FROM trades WHERE client_id = 'CLIENT_DUP' AND trade_id = 'T0000007'",
    );
    expect(kept?.venue).toBe("XNAS");
  });

  it("trade ids out of order: repeats across batches are caught, distinct ids all kept", async () => {
    const path = join(db.dir, "unordered.csv");
    // Descending ids, so no batch sorts after the previous one; then two repeats: one of an
    // earlier batch, one of its own batch (the last holds lines 1,202–1,503).
    const lines = Array.from({ length: 1_500 }, (_, i) => line(1_499 - i, "CLIENT_UNORD"));
    lines.push(line(1_200, "CLIENT_UNORD"), line(3, "CLIENT_UNORD"));
    await writeFile(path, `${header}${lines.join("\n")}\n`);
    const exit = await ingestDirect(db.url, "execution_csv", path, { run: { batchRows: 400 } });
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value.counts).toEqual({
      received: 1_502,
      valid: 1_500,
      quarantined: 2,
      written: 1_500,
    });
    const bad = await quarantineOf(db.url, "file:unordered.csv");
    expect(bad.map((b) => [b.index, b.reasons])).toEqual([
      [
        1_502,
        [
          "UNIQUENESS: trade_id T0001200 appears more than once for client_id CLIENT_UNORD (already ingested earlier in this payload)",
        ],
      ],
      [
        1_503,
        [
          "UNIQUENESS: trade_id T0000003 appears more than once for client_id CLIENT_UNORD (first at line 1498)",
        ],
      ],
    ]);
  });
});
