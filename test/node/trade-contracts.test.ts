/**
 * The trade contract as seed 004 writes it, on the in-memory stores: `trade_id`, `client_id`
 * and `venue` are required, trimmed, non-empty text with no further format. A real broker's
 * execution file keeps every row; blank or whitespace-only values are still quarantined; a
 * client id with a space works in a partition key, one with the key's `|` separator is refused
 * with the reason. (A run of such a client into `trades`: `trade-data-pipeline.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, Exit, TestClock } from "effect";
import { expect } from "vitest";
import { runPipeline } from "../../src/core/pipeline/runner";
import { PIPELINES } from "../../src/domains/registry";
import { EXECUTION_CSV_DEFINITION } from "../../src/domains/trade_data/source";
import { logicLayer, storedQuarantine } from "../fixtures/memory-pipelines";
import { ingestOnce, memoryIngestPipeline, memorySource } from "../fixtures/memory-sources";

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

const NOW = Date.parse("2025-06-02T12:00:00.000Z");

/** `dataspine ingest` of a broker file `name` with `rows`, in memory; the run and its table. */
const ingestBroker = (name: string, rows: ReadonlyArray<string>, partition = `file:${name}`) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const { source, table } = memorySource(EXECUTION_CSV_DEFINITION, (t) => t.trade_id);
    const path = `/data/${name}`;
    const pipeline = memoryIngestPipeline(source, path, {
      [path]: `${[HEADER, ...rows].join("\n")}\n`,
    });
    const result = yield* ingestOnce(pipeline, partition);
    return { result, table };
  });

describe("execution_csv keeps what the seed's trade contract accepts", () => {
  it.effect("keeps every row of a broker file with venue names and ids that have spaces", () =>
    Effect.gen(function* () {
      const { result, table } = yield* ingestBroker("broker.csv", BROKER_ROWS);
      expect(result.counts).toEqual({ received: 5, valid: 5, quarantined: 0, written: 5 });
      const rows = [...table.values()]
        .filter((r) => r.captureId === result.capture_id)
        .map((r) => r.row)
        .sort((a, b) => (a.trade_id < b.trade_id ? -1 : 1));
      expect(rows.map((r) => [r.trade_id, r.client_id, r.venue])).toEqual([
        ["T 1", "Client A", "NYSE Arca, Inc."],
        ["T 2", "Client A", "Nasdaq"],
        ["T 3", "Client A", "IEX-X"],
        ["T 4", "Client A", "xnas"],
        ["T 5", "Client A", "XNYS"],
      ]);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("still quarantines blank or whitespace-only venue, trade_id and client_id", () =>
    Effect.gen(function* () {
      const { result } = yield* ingestBroker("blanks.csv", BLANK_ROWS);
      expect(result.counts).toEqual({ received: 4, valid: 0, quarantined: 4, written: 0 });
      const bad = yield* storedQuarantine("file:blanks.csv");
      expect(bad.map((b) => [b.index, b.reasons])).toEqual([
        [2, ["REQUIRED_FIELDS: venue is required"]],
        [3, ["REQUIRED_FIELDS: trade_id is required"]],
        [4, ["REQUIRED_FIELDS: client_id is required"]],
        [5, ["REQUIRED_FIELDS: client_id is required", "REQUIRED_FIELDS: venue is required"]],
      ]);
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("takes a client id with a space in a partition key, and checks rows against it", () =>
    Effect.gen(function* () {
      const { result } = yield* ingestBroker(
        "broker-day.csv",
        [...BROKER_ROWS, "T 10,Client B,AAPL,BUY,10,243,2025-01-02T14:40:00Z,XNYS"],
        "2025-01-02|Client A",
      );
      // The key is accepted and the 5 rows of Client A written; 1 foreign row of 6 is over the
      // 5% quality gate, so the run itself reads failed.
      expect(result).toMatchObject({ status: "failed", error: { tag: "QualityGateFailed" } });
      expect(result.counts).toMatchObject({ valid: 5, quarantined: 1, written: 5 });
      const [other] = yield* storedQuarantine("2025-01-02|Client A");
      expect(other?.reasons).toEqual([
        "PARTITION_MATCH: client_id Client B is not the partition's client Client A",
      ]);
    }).pipe(Effect.provide(logicLayer())),
  );
});

describe("trade_data.ingest_trades partitions", () => {
  it.effect("refuses a client id holding the key's separator, saying why", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW);
      const run = (partition: string) =>
        Effect.exit(
          runPipeline(PIPELINES, {
            pipeline: "trade_data.ingest_trades",
            partition,
            trigger: "cli",
          }),
        );
      const exit = yield* run("2025-01-03|A|B");
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe(
        "InvalidPartitionKey",
      );
      const padded = yield* run("2025-01-03| Client A");
      expect(Exit.isFailure(padded) && padded.cause.toString()).toMatch(/space at either end/);
    }).pipe(Effect.provide(logicLayer())),
  );
});
