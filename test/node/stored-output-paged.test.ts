/**
 * The stored output of a partition read in pages on a real libSQL file: the trades of a
 * client's New York day (keyset by trade id, the day cut across two UTC days, pages whose
 * rows are all cut away) and a universe's bars, hashed page by page to exactly
 * `storedOutputHash` of the same rows, whatever the page size and however odd the keys (a key
 * order SQL and canonical JSON disagree on falls back to a full read); and a reconciliation
 * that finds the stored output identical to the replay never reads the partition whole.
 */
import { Effect, ManagedRuntime } from "effect";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newYorkDate } from "../../src/calendar/sessions";
import type { CanonicalRecord } from "../../src/core/model/canonical-record";
import { PartitionKey } from "../../src/core/model/ids";
import type { PipelineServices, ReplayMode } from "../../src/core/pipeline/pipeline";
import { pagedOutput, storedOutput } from "../../src/core/pipeline/stored-output";
import { UNIVERSES } from "../../src/domains/market_data/universes";
import { PIPELINES } from "../../src/domains/registry";
import { storedOutputHash } from "../../src/reconciliation/canonical";
import { reconcilePartition } from "../../src/reconciliation/reconcile";
import { ORDER_EDGE_CHARACTERS } from "../fixtures/order-characters";
import { usePipelineDb } from "../fixtures/pipeline-db";

const SEED = 20_261_208;
const setup = usePipelineDb();
let runtime: ManagedRuntime.ManagedRuntime<PipelineServices, never>;
beforeAll(async () => {
  runtime = ManagedRuntime.make(setup.layer());
  // Builds the layer, which migrates the file the tests fill.
  await runtime.runPromise(Effect.void);
});
afterAll(() => runtime.dispose());

const replayOf = (name: string): ReplayMode => {
  const replay = PIPELINES.get(name)?.replay;
  if (!replay) throw new Error(`${name} has no replay mode`);
  return replay;
};
const TRADES = replayOf("trade_data.ingest_trades");
const BARS = replayOf("market_data.ingest_prices");

/** The replay mode with its page reads and full reads counted. */
const counted = (replay: ReplayMode) => {
  const calls = { pages: 0, full: 0 };
  const page = replay.storedPage;
  const tally = <A, E, R>(which: "pages" | "full", effect: () => Effect.Effect<A, E, R>) =>
    Effect.suspend(() => {
      calls[which] += 1;
      return effect();
    });
  const mode: ReplayMode = {
    ...replay,
    stored: (p) => tally("full", () => replay.stored(p)),
    ...(page
      ? { storedPage: (p, after, limit) => tally("pages", () => page(p, after, limit)) }
      : {}),
  };
  return { mode, calls };
};

interface Trade {
  readonly client_id: string;
  readonly trade_id: string;
  readonly executed_at: string;
}
const tradeRecord = (t: Trade): CanonicalRecord => ({
  client_id: t.client_id,
  trade_id: t.trade_id,
  symbol: "AAPL",
  side: "BUY",
  quantity: "10",
  price: "187.25",
  executed_at: t.executed_at,
  venue: "XNYS",
  source: "execution_csv",
});

const putTrades = async (trades: ReadonlyArray<Trade>) => {
  await setup.query("DELETE FROM trades");
  await setup.query(
    `INSERT INTO trades (client_id, trade_id, symbol, side, quantity, price, executed_at, venue, source, capture_id, captured_at, execution_id, batch_id)
SELECT j.value->>'client_id', j.value->>'trade_id', j.value->>'symbol', j.value->>'side', j.value->>'quantity', j.value->>'price', j.value->>'executed_at', j.value->>'venue', j.value->>'source', 'c', 'x', 'e', 'b'
FROM json_each(?) j`,
    [JSON.stringify(trades.map(tradeRecord))],
  );
};

/** What the partition `date|client` holds of `trades`, by the day cut, as records. */
const expectedTrades = (trades: ReadonlyArray<Trade>, date: string, client: string) =>
  trades
    .filter((t) => t.client_id === client && newYorkDate(Date.parse(t.executed_at)) === date)
    .map(tradeRecord);

const TRADE_KEY = ["client_id", "trade_id"];
const run = <A, E>(effect: Effect.Effect<A, E, PipelineServices>) => runtime.runPromise(effect);

describe("a client's trades, page by page", () => {
  const winter: ReadonlyArray<Trade> = [
    ["A01", "2025-01-01T23:00:00.000Z"], // New York: Jan 1, 18:00
    ["A02", "2025-01-02T04:59:59.999Z"], // Jan 1, 23:59:59.999
    ["A03", "2025-01-02T05:00:00.000Z"], // Jan 2, midnight
    ["A04", "2025-01-02T15:00:00.000Z"],
    ["A05", "2025-01-03T04:59:59.999Z"], // Jan 2, 23:59:59.999
    ["A06", "2025-01-03T05:00:00.000Z"], // Jan 3, midnight
    ["A07", "2025-01-03T12:00:00.000Z"],
    ["A08", "2024-12-31T12:00:00.000Z"], // outside the UTC days the query reads
    ["A09", "2025-01-02T20:00:00.000Z"],
  ].map(([trade_id, executed_at]) => ({
    client_id: "CLIENT_A",
    trade_id: String(trade_id),
    executed_at: String(executed_at),
  }));
  const others = winter.map((t) => ({ ...t, client_id: "CLIENT_B" }));

  it("cuts the New York day out of two UTC days, at any page size, and hashes it exactly", async () => {
    await putTrades([...winter, ...others]);
    const partition = PartitionKey.make("2025-01-02|CLIENT_A");
    const expected = expectedTrades(winter, "2025-01-02", "CLIENT_A");
    expect(expected.map((r) => r.trade_id)).toEqual(["A03", "A04", "A05", "A09"]);
    const want = storedOutputHash(TRADE_KEY, expected);
    // Eight rows of the client fall in the UTC days read: the pages are full until one is not.
    for (const [limit, pages] of [
      [1, 9],
      [2, 5],
      [3, 3],
      [4, 3],
      [8, 2],
      [100, 1],
    ] as const) {
      const { mode, calls } = counted(TRADES);
      expect(await run(pagedOutput(mode, partition, limit))).toEqual(want);
      expect(calls).toEqual({ pages, full: 0 });
    }
    // A first page of two rows, both cut away, is not the last.
    const first = await run(TRADES.storedPage?.(partition, undefined, 2) ?? Effect.die("no pages"));
    expect(first).toEqual({ records: [], next: "A02" });
    expect(await run(TRADES.stored(partition))).toEqual(expected);
  });

  it("cuts a summer day at 04:00 UTC", async () => {
    const summer = [
      ["S1", "2025-07-01T03:59:59.999Z"],
      ["S2", "2025-07-01T04:00:00.000Z"],
      ["S3", "2025-07-02T03:59:59.999Z"],
      ["S4", "2025-07-02T04:00:00.000Z"],
    ].map(([trade_id, executed_at]) => ({
      client_id: "CLIENT_A",
      trade_id: String(trade_id),
      executed_at: String(executed_at),
    }));
    await putTrades(summer);
    const partition = PartitionKey.make("2025-07-01|CLIENT_A");
    const got = await run(storedOutput(TRADES, partition, 1));
    expect(got).toEqual(
      storedOutputHash(TRADE_KEY, expectedTrades(summer, "2025-07-01", "CLIENT_A")),
    );
    expect(got.records).toBe(2);
  });

  it("falls back to a full read when SQL's order is not the canonical one", async () => {
    // `"T1"` sorts after `"T1 X"` as JSON text: SQL's byte order gives the other order.
    const trades = ["T1", "T1 X", "T2"].map((trade_id) => ({
      client_id: "CLIENT_A",
      trade_id,
      executed_at: "2025-01-02T15:00:00.000Z",
    }));
    await putTrades(trades);
    const partition = PartitionKey.make("2025-01-02|CLIENT_A");
    const { mode, calls } = counted(TRADES);
    expect(await run(pagedOutput(mode, partition, 2))).toBeUndefined();
    expect(calls).toEqual({ pages: 1, full: 0 });
    const { mode: again, calls: fallback } = counted(TRADES);
    const got = await run(storedOutput(again, partition, 2));
    expect(got).toEqual(storedOutputHash(TRADE_KEY, trades.map(tradeRecord)));
    expect(fallback.full).toBe(1);
  });

  it("hashes arbitrary trade ids and times to storedOutputHash of the same rows (property)", async () => {
    const odd = fc
      .array(fc.constantFrom(...ORDER_EDGE_CHARACTERS, "-", "_"), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => parts.join(""));
    const plain = fc.stringMatching(/^[A-Z0-9][A-Z0-9_-]{0,7}$/);
    const window = Date.parse("2025-01-01T00:00:00.000Z");
    const trade = (id: fc.Arbitrary<string>) =>
      fc.record({
        client_id: fc.constantFrom("CLIENT_A", "CLIENT_A", "CLIENT_B"),
        trade_id: id,
        // Four UTC days around the New York day 2025-01-02, to the millisecond, mostly in it.
        executed_at: fc
          .oneof(
            fc.integer({ min: 0, max: 4 * 86_400_000 - 1 }),
            fc.integer({ min: 29 * 3_600_000 - 2, max: 53 * 3_600_000 + 1 }),
          )
          .map((ms) => new Date(window + ms).toISOString()),
      });
    const partition = PartitionKey.make("2025-01-02|CLIENT_A");
    let fellBack = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.boolean().chain((isPlain) =>
          fc
            .uniqueArray(trade(isPlain ? plain : odd), {
              maxLength: 40,
              selector: (t) => `${t.client_id}\u0000${t.trade_id}`,
            })
            .map((trades) => ({ isPlain, trades })),
        ),
        async (limit, { isPlain, trades }) => {
          await putTrades(trades);
          const want = storedOutputHash(
            TRADE_KEY,
            expectedTrades(trades, "2025-01-02", "CLIENT_A"),
          );
          expect(await run(storedOutput(TRADES, partition, limit))).toEqual(want);
          const paged = await run(pagedOutput(TRADES, partition, limit));
          if (isPlain) expect(paged).toEqual(want);
          else if (paged === undefined) fellBack += 1;
          else expect(paged).toEqual(want);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
    // Odd keys did put SQL's order and the canonical one apart, and the fallback hashed them.
    expect(fellBack).toBeGreaterThan(10);
  });
});

describe("a universe's bars, page by page", () => {
  it("reads the universe's bars of the date and source only, at any page size", async () => {
    const symbols = UNIVERSES.demo ?? [];
    const bar = (symbol: string, trading_date: string, source: string) => ({
      symbol,
      trading_date,
      source,
      open: "10.5",
      high: "11",
      low: "10",
      close: "10.75",
      volume: 1_000 + symbol.length,
      vwap: symbol.length % 2 === 0 ? null : "10.6",
      trade_count: symbol.length % 3 === 0 ? null : 42,
      bar_start: `${trading_date}T05:00:00.000Z`,
    });
    const mine = symbols.map((s) => bar(s, "2025-02-03", "polygon"));
    const noise = [
      ...symbols.map((s) => bar(s, "2025-02-04", "polygon")),
      ...symbols.slice(0, 5).map((s) => bar(s, "2025-02-03", "alphavantage")),
      bar("ZZZZ", "2025-02-03", "polygon"),
    ];
    await setup.query("DELETE FROM market_prices");
    await setup.query(
      `INSERT INTO market_prices (symbol, trading_date, source, open, high, low, close, volume, vwap, trade_count, bar_start, capture_id, captured_at, execution_id, batch_id)
SELECT j.value->>'symbol', j.value->>'trading_date', j.value->>'source', j.value->>'open', j.value->>'high', j.value->>'low', j.value->>'close', j.value->>'volume', j.value->>'vwap', j.value->>'trade_count', j.value->>'bar_start', 'c', 'x', 'e', 'b'
FROM json_each(?) j`,
      [JSON.stringify([...noise, ...mine])],
    );
    const partition = PartitionKey.make("2025-02-03|demo");
    const want = storedOutputHash(BARS.key, mine);
    expect(want.records).toBe(symbols.length);
    for (const limit of [1, 3, symbols.length, 5_000]) {
      const { mode, calls } = counted(BARS);
      expect(await run(pagedOutput(mode, partition, limit))).toEqual(want);
      expect(calls.pages).toBe(Math.floor(symbols.length / limit) + 1);
    }
    expect(await run(BARS.stored(partition))).toEqual(
      [...mine].sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
    );
  });
});

describe("reconciliation of a large partition", () => {
  it("hashes the stored output in pages and reads it whole only when it differs", async () => {
    await setup.query("DELETE FROM trades");
    const partition = "2025-01-02|CLIENT_A";
    const result = await setup.runOk("trade_data.ingest_trades", partition);
    expect(result.status).toBe("complete");
    const [manifest] = await setup.query(
      "SELECT json_extract(metadata, '$.output') AS output FROM core_manifest WHERE capture_id = ?",
      [result.capture_id],
    );
    // The recorded hash is that of one plain read of the partition's rows.
    const rows = await setup.query(
      "SELECT client_id, trade_id, symbol, side, quantity, price, executed_at, venue, source FROM trades",
    );
    const full = storedOutputHash(
      TRADE_KEY,
      rows.map((r) => ({ ...r }) as CanonicalRecord),
    );
    expect(JSON.parse(String(manifest?.output))).toEqual(full);

    const pipeline = PIPELINES.get("trade_data.ingest_trades");
    if (!pipeline) throw new Error("no pipeline");
    const key = PartitionKey.make(partition);
    const clean = counted(TRADES);
    const same = await run(
      reconcilePartition({ pipeline, replay: clean.mode }, key, { record: false }),
    );
    expect(same).toMatchObject({ clean: true, stored: full, replay: full });
    expect(same.diff.summary).toEqual({
      old: full.records,
      new: full.records,
      added: 0,
      removed: 0,
      modified: 0,
      unchanged: full.records,
    });
    expect(clean.calls).toEqual({ pages: 1, full: 0 });

    const first = String(rows[0]?.trade_id);
    await setup.query("UPDATE trades SET price = '999.99' WHERE trade_id = ?", [first]);
    const changed = counted(TRADES);
    const differs = await run(
      reconcilePartition({ pipeline, replay: changed.mode }, key, { record: false }),
    );
    expect(differs.clean).toBe(false);
    expect(differs.diff.summary).toMatchObject({ modified: 1, unchanged: full.records - 1 });
    expect(differs.diff.modified[0]?.key).toEqual({ client_id: "CLIENT_A", trade_id: first });
    expect(differs.stored.sha256).not.toBe(full.sha256);
    expect(changed.calls.full).toBe(1);
  });

  it("still finds a replay that repeats a key ambiguous when the stored output is the same", async () => {
    const pipeline = PIPELINES.get("trade_data.ingest_trades");
    if (!pipeline) throw new Error("no pipeline");
    const twice = [
      { id: "A", v: "1" },
      { id: "A", v: "1" },
    ];
    const replay: ReplayMode = {
      key: ["id"],
      records: () => Effect.succeed(twice),
      stored: () => Effect.succeed(twice),
    };
    const exit = await runtime.runPromiseExit(
      reconcilePartition({ pipeline, replay }, PartitionKey.make("2025-01-02|CLIENT_A"), {
        record: false,
      }),
    );
    expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "AmbiguousKey" } } });
  });
});
