/**
 * The trade contract as seed 004 writes it: `trade_id`, `client_id` and `venue` are required,
 * trimmed, non-empty text with no further format. A real broker's execution file keeps every
 * row; blank or whitespace-only values are still quarantined; a client id with a space works
 * in a partition key, one with the key's `|` separator is refused with the reason.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect, Exit, LogLevel } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../src/core/pipeline/runner";
import { PIPELINES } from "../../src/domains/registry";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { ingestThroughRunner, quarantineOf, query } from "../fixtures/sources";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const HEADER = "trade_id,client_id,symbol,side,quantity,price,timestamp,venue";
const BROKER_ROWS = [
  'T 1,Client A,AAPL,BUY,100,243.12,2025-01-02T14:31:05Z,"NYSE Arca, Inc."',
  "T 2,Client A,AAPL,SELL,50,243.50,2025-01-02T14:32:00Z,Nasdaq",
  "T 3,Client A,MSFT,BUY,25,419.01,2025-01-02T14:33:00Z,IEX-X",
  "T 4,Client A,MSFT,SELL,25,419.20,2025-01-02T14:34:00Z,xnas",
  "  T 5 ,  Client A  ,AAPL,BUY,10,243.00,2025-01-02T14:35:00Z,  XNYS  ",
];
const BLANK_ROWS = [
  "T 6,Client A,AAPL,BUY,10,243,2025-01-02T14:36:00Z,   ",
  '"   ",Client A,AAPL,BUY,10,243,2025-01-02T14:37:00Z,XNYS',
  "T 8,,AAPL,BUY,10,243,2025-01-02T14:38:00Z,XNYS",
  'T 9,"\t ",AAPL,BUY,10,243,2025-01-02T14:39:00Z,',
];

let db: TempDb;
let feed: DemoFeedServer;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

const brokerFile = async (name: string, rows: ReadonlyArray<string>) => {
  const path = join(db.dir, name);
  await writeFile(path, `${[HEADER, ...rows].join("\n")}\n`);
  return path;
};

describe("execution_csv keeps what the seed's trade contract accepts", () => {
  it("keeps every row of a broker file with venue names and ids that have spaces", async () => {
    const path = await brokerFile("broker.csv", BROKER_ROWS);
    const result = await ingestThroughRunner(db.url, "execution_csv", path);
    expect(result.counts).toEqual({ received: 5, valid: 5, quarantined: 0, written: 5 });
    const rows = await query(
      db.url,
      "SELECT trade_id, client_id, venue FROM trades WHERE capture_id = ? ORDER BY trade_id",
      [result.capture_id],
    );
    expect(rows.map((r) => [r.trade_id, r.client_id, r.venue])).toEqual([
      ["T 1", "Client A", "NYSE Arca, Inc."],
      ["T 2", "Client A", "Nasdaq"],
      ["T 3", "Client A", "IEX-X"],
      ["T 4", "Client A", "xnas"],
      ["T 5", "Client A", "XNYS"],
    ]);
  });

  it("still quarantines blank or whitespace-only venue, trade_id and client_id", async () => {
    const path = await brokerFile("blanks.csv", BLANK_ROWS);
    const result = await ingestThroughRunner(db.url, "execution_csv", path);
    expect(result.counts).toEqual({ received: 4, valid: 0, quarantined: 4, written: 0 });
    const bad = await quarantineOf(db.url, "file:blanks.csv");
    expect(bad.map((b) => [b.index, b.reasons])).toEqual([
      [2, ["REQUIRED_FIELDS: venue is required"]],
      [3, ["REQUIRED_FIELDS: trade_id is required"]],
      [4, ["REQUIRED_FIELDS: client_id is required"]],
      [5, ["REQUIRED_FIELDS: client_id is required", "REQUIRED_FIELDS: venue is required"]],
    ]);
  });

  it("takes a client id with a space in a partition key, and checks rows against it", async () => {
    const path = await brokerFile("broker-day.csv", [
      ...BROKER_ROWS,
      "T 10,Client B,AAPL,BUY,10,243,2025-01-02T14:40:00Z,XNYS",
    ]);
    const result = await ingestThroughRunner(db.url, "execution_csv", path, "2025-01-02|Client A");
    // The key is accepted and the 5 rows of Client A written; 1 foreign row of 6 is over the
    // 5% quality gate, so the run itself reads failed.
    expect(result).toMatchObject({ status: "failed", error: { tag: "QualityGateFailed" } });
    expect(result.counts).toMatchObject({ valid: 5, quarantined: 1, written: 5 });
    const [other] = await quarantineOf(db.url, "2025-01-02|Client A");
    expect(other?.reasons).toEqual([
      "PARTITION_MATCH: client_id Client B is not the partition's client Client A",
    ]);
  });
});

describe("trade_data.ingest_trades partitions", () => {
  const run = (partition: string) =>
    Effect.runPromiseExit(
      runPipeline(PIPELINES, {
        pipeline: "trade_data.ingest_trades",
        partition,
        trigger: "cli",
      }).pipe(
        Effect.provide(
          nodePipelineLayer({
            db: { url: db.url },
            vars: { MARKET_DATA_BASE_URL: feed.url },
            logLevel: LogLevel.None,
          }),
        ),
      ),
    );

  it("runs a client with a space end to end: URL, actor name, capture id, rows", async () => {
    const exit = await run("2025-01-03|Client A");
    if (Exit.isFailure(exit)) throw new Error(exit.cause.toString());
    expect(exit.value.status).toBe("complete");
    expect(exit.value.capture_id).toMatch(/^trade_data\.INGEST\.2025-01-03\|Client A\.\d{8}T/);
    expect(exit.value.counts.written).toBeGreaterThan(0);
    expect(exit.value.counts.quarantined).toBe(0);
    const [row] = await query(
      db.url,
      "SELECT count(*) AS n FROM trades WHERE client_id = 'Client A' AND capture_id = ?",
      [exit.value.capture_id],
    );
    expect(Number(row?.n)).toBe(exit.value.counts.written);
  });

  it("refuses a client id holding the key's separator, saying why", async () => {
    const exit = await run("2025-01-03|A|B");
    expect(Exit.isFailure(exit)).toBe(true);
    if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
      expect(exit.cause.error._tag).toBe("InvalidPartitionKey");
    }
    const padded = await run("2025-01-03| Client A");
    expect(Exit.isFailure(padded) && padded.cause.toString()).toMatch(/space at either end/);
  });
});
