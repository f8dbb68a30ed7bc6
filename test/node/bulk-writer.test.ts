/**
 * The embedded database's writer thread: started on the first write, closed by letting its
 * queue finish (never terminated mid-statement, which aborts the process inside the libSQL
 * binding), and failing one statement without losing the next. And `bulkUpsert` over a
 * writer: it lets go of each JSON chunk once the writer has it, so its effect runs once.
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
  it("hands each chunk over and keeps no reference to it; a second run is a defect", async () => {
    db = await makeTempDb();
    const sent: Array<{ readonly args: ReadonlyArray<InValue>; readonly copy: Array<InValue> }> =
      [];
    const recording = Layer.succeed(BulkWriter, {
      execute: (_sql, args) => {
        sent.push({ args, copy: [...args] });
        return Promise.resolve(1);
      },
    });
    const layer = Layer.merge(DbNodeLive({ url: db.url }, { migrate: false }), recording);
    const spec = { table: "t", columns: ["k", "v"], key: ["k"], shared: ["batch_id"] };
    const write = bulkUpsert(
      spec,
      [
        ["a", "1"],
        ["b", "2"],
        ["c", "3"],
      ],
      ["batch-1"],
      2,
    );

    const first = await Effect.runPromiseExit(write.pipe(Effect.provide(layer)));
    expect(first).toEqual(Exit.succeed(2));
    expect(sent.map((s) => s.copy)).toEqual([
      ['[["a","1"],["b","2"]]', "batch-1"],
      ['[["c","3"]]', "batch-1"],
    ]);
    // What the writer was given is emptied once it has been sent.
    expect(sent.map((s) => s.args.length)).toEqual([0, 0]);

    const second = await Effect.runPromiseExit(write.pipe(Effect.provide(layer)));
    expect(Exit.isFailure(second) && Cause.isDie(second.cause)).toBe(true);
    expect(String(Exit.isFailure(second) ? Cause.pretty(second.cause) : "")).toContain(
      "t: a bulk upsert runs once",
    );
    expect(sent).toHaveLength(2);
  });
});
