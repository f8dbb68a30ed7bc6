/**
 * The embedded database's writer thread: started on the first write, closed by letting its
 * queue finish (never terminated mid-statement, which aborts the process inside the libSQL
 * binding), and failing one statement without losing the next. And `bulkUpsert` over a
 * writer: what it sends is emptied once the writer has it, and its effect can run again, so
 * `Effect.retry` around a write retries it.
 */
import { existsSync } from "node:fs";
import type { InValue } from "@libsql/client";
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect";
import { afterEach, describe, expect, it } from "vitest";
import { BulkWriter, bulkUpsert } from "../../src/db/bulk-upsert";
import { BulkWriterNodeLive } from "../../src/node/bulk-writer";
import { DbNodeLive } from "../../src/node/database";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

const INSERT =
  "INSERT INTO t (k, v) SELECT value->>0, value->>1 FROM json_each(?1) WHERE true " +
  "ON CONFLICT (k) DO UPDATE SET v = excluded.v";

const writerRuntime = (url: string) =>
  ManagedRuntime.make(BulkWriterNodeLive(url) as Layer.Layer<BulkWriter>);

/** An argument as sent: the JSON of a chunk comes as UTF-8 bytes. */
const text = (arg: InValue) => (arg instanceof Uint8Array ? new TextDecoder().decode(arg) : arg);

const rows = (batch: number, n: number) =>
  JSON.stringify(Array.from({ length: n }, (_, i) => [`b${batch}-${i}`, String(i)]));

let db: TempDb | undefined;
afterEach(async () => {
  await db?.cleanup();
});

describe("BulkWriterNodeLive", () => {
  it("finishes every queued write before it closes, and refuses writes after", async () => {
    db = await makeTempDb();
    await query(db.url, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    const runtime = writerRuntime(db.url);
    const writer = await runtime.runPromise(BulkWriter);
    const batches = 6;
    const perBatch = 20_000;
    const writes = Array.from({ length: batches }, (_, b) =>
      writer.execute(INSERT, [rows(b, perBatch)]),
    );
    // Closed while the first statement is still running and five more wait behind it.
    await runtime.dispose();
    expect(await Promise.all(writes)).toEqual(Array(batches).fill(perBatch));
    const [count] = await query(db.url, "SELECT count(*) AS n FROM t");
    expect(Number(count?.n)).toBe(batches * perBatch);
    await expect(writer.execute(INSERT, [rows(9, 1)])).rejects.toThrow("bulk writer is closed");
  });

  it("starts no thread and opens no file when nothing is written", async () => {
    db = await makeTempDb();
    const runtime = writerRuntime(db.url);
    await runtime.runPromise(BulkWriter);
    // Long enough for a thread started eagerly to have opened its connection.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await runtime.dispose();
    expect(existsSync(db.path)).toBe(false);
  });

  it("rejects a failing statement with SQLite's message and runs the next one", async () => {
    db = await makeTempDb();
    await query(db.url, "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL)");
    const runtime = writerRuntime(db.url);
    try {
      const writer = await runtime.runPromise(BulkWriter);
      const bad = writer.execute(INSERT.replace("(k, v)", "(k, missing)"), [rows(0, 2)]);
      const good = writer.execute(INSERT, [rows(1, 3)]);
      await expect(bad).rejects.toThrow(/missing/);
      expect(await good).toBe(3);
    } finally {
      await runtime.dispose();
    }
    const [count] = await query(db.url, "SELECT count(*) AS n FROM t");
    expect(Number(count?.n)).toBe(3);
  });

  it("gives other database URLs no writer thread", async () => {
    const runtime = ManagedRuntime.make(
      BulkWriterNodeLive("http://127.0.0.1:1") as Layer.Layer<never>,
    );
    const writer = await runtime.runPromise(Effect.serviceOption(BulkWriter));
    await runtime.dispose();
    expect(writer._tag).toBe("None");
  });
});

describe("bulkUpsert over a BulkWriter", () => {
  const spec = { table: "t", columns: ["k", "v"], key: ["k"], shared: ["batch_id"] };
  const threeRows = [
    ["a", "1"],
    ["b", "2"],
    ["c", "3"],
  ];

  it("hands each chunk over and keeps no reference to it in what it sent; a second run writes again", async () => {
    db = await makeTempDb();
    const sent: Array<{ readonly args: ReadonlyArray<InValue>; readonly copy: Array<InValue> }> =
      [];
    const recording = Layer.succeed(BulkWriter, {
      execute: (_sql, args) => {
        sent.push({ args, copy: args.map(text) });
        return Promise.resolve(1);
      },
    });
    const layer = Layer.merge(DbNodeLive({ url: db.url }, { migrate: false }), recording);
    const write = bulkUpsert(spec, threeRows, ["batch-1"], 2);

    const first = await Effect.runPromiseExit(write.pipe(Effect.provide(layer)));
    expect(first).toEqual(Exit.succeed(2));
    expect(sent.map((s) => s.copy)).toEqual([
      ['[["a","1"],["b","2"]]', "batch-1"],
      ['[["c","3"]]', "batch-1"],
    ]);
    // What the writer was given is emptied once it has been sent.
    expect(sent.map((s) => s.args.length)).toEqual([0, 0]);

    const second = await Effect.runPromiseExit(write.pipe(Effect.provide(layer)));
    expect(second).toEqual(Exit.succeed(2));
    expect(sent.slice(2).map((s) => s.copy)).toEqual(sent.slice(0, 2).map((s) => s.copy));
  });

  it("Effect.retry around a write that fails once writes every row exactly once", async () => {
    db = await makeTempDb();
    await query(
      db.url,
      "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT NOT NULL, batch_id TEXT NOT NULL)",
    );
    const runtime = writerRuntime(db.url);
    try {
      const real = await runtime.runPromise(BulkWriter);
      const calls: Array<string> = [];
      const failingOnce = Layer.succeed(BulkWriter, {
        execute: (sql, args) => {
          calls.push(String(text(args[0] ?? null)));
          return calls.length === 2
            ? Promise.reject(new Error("database is locked"))
            : real.execute(sql, args);
        },
      });
      const layer = Layer.merge(DbNodeLive({ url: db.url }, { migrate: false }), failingOnce);
      // Two chunks: the first is written, the second fails once, the retry writes both again.
      const write = bulkUpsert(spec, threeRows, ["batch-1"], 2);
      const exit = await Effect.runPromiseExit(
        write.pipe(Effect.retry({ times: 2 }), Effect.provide(layer)),
      );
      expect(exit).toEqual(Exit.succeed(3));
      expect(calls).toEqual([
        '[["a","1"],["b","2"]]',
        '[["c","3"]]',
        '[["a","1"],["b","2"]]',
        '[["c","3"]]',
      ]);
      const stored = await query(db.url, "SELECT k, v, batch_id FROM t ORDER BY k");
      expect(stored.map((r) => [r.k, r.v, r.batch_id])).toEqual([
        ["a", "1", "batch-1"],
        ["b", "2", "batch-1"],
        ["c", "3", "batch-1"],
      ]);
    } finally {
      await runtime.dispose();
    }
  });

  it("a write that keeps failing fails with a DatabaseError after the retries, never a defect", async () => {
    db = await makeTempDb();
    let calls = 0;
    const failing = Layer.succeed(BulkWriter, {
      execute: () => {
        calls += 1;
        return Promise.reject(new Error("disk I/O error"));
      },
    });
    const layer = Layer.merge(DbNodeLive({ url: db.url }, { migrate: false }), failing);
    const exit = await Effect.runPromiseExit(
      bulkUpsert(spec, threeRows, ["batch-1"], 2).pipe(
        Effect.retry({ times: 2 }),
        Effect.provide(layer),
      ),
    );
    expect(calls).toBe(3);
    expect(Exit.isFailure(exit) && Cause.isFailure(exit.cause)).toBe(true);
    expect(Exit.isFailure(exit) ? Cause.pretty(exit.cause) : "").toContain("disk I/O error");
  });
});
