/**
 * Conformance of the local Hrana-over-HTTP server: the official `@libsql/client` against a
 * temp-file database, plus raw protocol requests for what the client cannot express.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, LibsqlError } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LibsqlServer, startLibsqlServer } from "../../src/node/dev/libsql-server/server";

interface RawResponse {
  readonly status: number;
  readonly type: string | null;
  readonly body: unknown;
}

interface PipelineBody {
  readonly baton: string | null;
  readonly base_url: string | null;
  readonly results: readonly unknown[];
}

/** POSTs a JSON body as the client would and returns the decoded answer. */
async function post(
  server: LibsqlServer,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const res = await fetch(`${server.url}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get("content-type");
  return { status: res.status, type, body: type === "application/json" ? JSON.parse(text) : text };
}

async function pipeline(server: LibsqlServer, baton: string | null, requests: unknown[]) {
  const res = await post(server, "v2/pipeline", { baton, requests });
  expect(res.status).toBe(200);
  return res.body as PipelineBody;
}

const exec = (sql: string, extra: Record<string, unknown> = {}) => ({
  type: "execute",
  stmt: { sql, ...extra },
});

/** Expects `promise` to reject with a LibsqlError whose code is `code`. */
async function expectLibsqlError(promise: Promise<unknown>, code: string): Promise<LibsqlError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LibsqlError);
  expect((error as LibsqlError).code).toBe(code);
  return error as LibsqlError;
}

let dir: string;
let server: LibsqlServer;
let client: Client;
let other: Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataspine-libsql-server-"));
  server = await startLibsqlServer({ path: join(dir, "test.db"), port: 0 });
  client = createClient({ url: server.url, intMode: "bigint" });
  other = createClient({ url: server.url });
});

afterAll(async () => {
  client?.close();
  other?.close();
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("HTTP surface", () => {
  it("answers health, index and version probes; v3-protobuf is absent", async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    for (const path of ["health", "", "v2", "v3"]) {
      expect((await fetch(`${server.url}/${path}`)).status).toBe(200);
    }
    expect((await fetch(`${server.url}/v3-protobuf`)).status).toBe(404);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/v2/pipeline`)).status).toBe(405);
  });

  it("puts a file database in WAL mode", async () => {
    const rs = await client.execute("PRAGMA journal_mode");
    expect(rs.rows[0]).toMatchObject({ journal_mode: "wal" });
  });

  it("rejects malformed bodies with 400 JSON", async () => {
    for (const body of ["{not json", { requests: "x" }, { requests: [{ type: "nope" }] }]) {
      const res = await post(server, "v2/pipeline", body);
      expect(res.status).toBe(400);
      expect(res.type).toBe("application/json");
      expect(res.body).toMatchObject({ code: "PROTOCOL_ERROR" });
    }
    const badInt = exec("SELECT ?", { args: [{ type: "integer", value: "9223372036854775808" }] });
    expect((await post(server, "v2/pipeline", { baton: null, requests: [badInt] })).status).toBe(
      400,
    );
  });

  it("rejects an unknown baton with 400, and a used one too", async () => {
    const bogus = await post(server, "v2/pipeline", { baton: "nope", requests: [] });
    expect(bogus.status).toBe(400);
    expect(bogus.body).toMatchObject({ code: "BATON_INVALID" });

    const first = await pipeline(server, null, [exec("SELECT 1")]);
    expect(first.baton).toEqual(expect.any(String));
    const second = await pipeline(server, first.baton, [exec("SELECT 2")]);
    expect(second.baton).not.toBe(first.baton);
    const replay = await post(server, "v2/pipeline", { baton: first.baton, requests: [] });
    expect(replay.status).toBe(400);
    const closed = await pipeline(server, second.baton, [{ type: "close" }]);
    expect(closed).toEqual({
      baton: null,
      base_url: null,
      results: [{ type: "ok", response: { type: "close" } }],
    });
    expect((await post(server, "v2/pipeline", { baton: second.baton, requests: [] })).status).toBe(
      400,
    );
  });

  it("fails a stream used after close, like sqld", async () => {
    const res = await post(server, "v2/pipeline", {
      baton: null,
      requests: [{ type: "close" }, exec("SELECT 1")],
    });
    expect(res.status).toBe(400);
  });
});

describe("values", () => {
  beforeAll(async () => {
    await client.execute(
      "CREATE TABLE vals (id INTEGER PRIMARY KEY, i INTEGER, f REAL, t TEXT, b BLOB, n NUMERIC)",
    );
  });

  it("round-trips every type, 64-bit integers without precision loss", async () => {
    const big = 9007199254740993n;
    const cases: [bigint | null, number, string, Uint8Array | ArrayBuffer][] = [
      [big, 1.5, "héllo wörld ✓ 日本語 🚀", new Uint8Array([0, 1, 2, 253, 254, 255])],
      [-big, -0.1, "", new Uint8Array([]).buffer],
      [9223372036854775807n, 1e300, "quote ' and \" and \\", new Uint8Array([42]).buffer],
      [-9223372036854775808n, 2.0, "tab\tand \u00e9\u0301 combining", new Uint8Array(1000).fill(7)],
      [null, -2.5e-10, "line\nbreak", new Uint8Array([10])],
    ];
    for (const [i, f, t, b] of cases) {
      await client.execute({
        sql: "INSERT INTO vals (i, f, t, b) VALUES (?, ?, ?, ?)",
        args: [i, f, t, b],
      });
    }
    const rs = await client.execute(
      "SELECT i, f, t, b, typeof(i) AS ti, typeof(f) AS tf, typeof(b) AS tb FROM vals ORDER BY id",
    );
    expect(rs.rows).toHaveLength(cases.length);
    for (const [k, [i, f, t, b]] of cases.entries()) {
      const row = rs.rows[k]!;
      expect(row.i).toBe(i);
      expect(row.f).toBe(f);
      expect(row.t).toBe(t);
      expect(row.b).toBeInstanceOf(ArrayBuffer);
      const bytes = b instanceof ArrayBuffer ? new Uint8Array(b) : b;
      expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(bytes);
      expect(row.ti).toBe(i === null ? "null" : "integer");
      expect(row.tf).toBe("real"); // 2.0 stays REAL: JS numbers travel as floats
      expect(row.tb).toBe("blob");
    }
  });

  it("returns literals with their SQLite types", async () => {
    const rs = await client.execute(
      "SELECT NULL AS n, 42 AS i, -7 AS neg, 3.25 AS f, 'x' AS t, x'00ff' AS b, 2.0 AS whole",
    );
    const row = rs.rows[0]!;
    expect(row.n).toBeNull();
    expect(row.i).toBe(42n);
    expect(row.neg).toBe(-7n);
    expect(row.f).toBe(3.25);
    expect(row.t).toBe("x");
    expect(new Uint8Array(row.b as ArrayBuffer)).toEqual(new Uint8Array([0, 255]));
    expect(row.whole).toBe(2);
    const small = await other.execute("SELECT 5 AS i, 9007199254740991 AS max");
    expect(small.rows[0]).toMatchObject({ i: 5, max: Number.MAX_SAFE_INTEGER });
    await expect(other.execute("SELECT 9007199254740993")).rejects.toThrow(RangeError);
  });

  it("binds positional, numbered and named arguments", async () => {
    const pos = await client.execute({ sql: "SELECT ? AS a, ? AS b", args: [1n, "two"] });
    expect(pos.rows[0]).toMatchObject({ a: 1n, b: "two" });
    const numbered = await client.execute({
      sql: "SELECT ?2 AS a, ?1 AS b, ?2 AS c",
      args: ["x", "y"],
    });
    expect(numbered.rows[0]).toMatchObject({ a: "y", b: "x", c: "y" });
    const named = await client.execute({
      sql: "SELECT :a AS a, @b AS b, $c AS c, :a AS again",
      args: { a: 7n, "@b": null, $c: "see" },
    });
    expect(named.rows[0]).toMatchObject({ a: 7n, b: null, c: "see", again: 7n });
    const typed = await client.execute({
      sql: "SELECT typeof(:x) AS x, typeof(:y) AS y",
      args: { x: 1, y: true },
    });
    expect(typed.rows[0]).toMatchObject({ x: "real", y: "integer" });
  });

  it("rejects arguments that do not match the parameters", async () => {
    await expectLibsqlError(client.execute({ sql: "SELECT :a", args: { b: 1 } }), "ARGS_INVALID");
    await expectLibsqlError(client.execute({ sql: "SELECT ?", args: [1, 2] }), "ARGS_INVALID");
    await expectLibsqlError(client.execute("SELECT ?"), "ARGS_INVALID");
  });
});

describe("results", () => {
  beforeAll(async () => {
    await client.execute(
      `CREATE TABLE items (
        id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER DEFAULT 0
      )`,
    );
  });

  it("reports rowsAffected and lastInsertRowid like sqld", async () => {
    const one = await client.execute({ sql: "INSERT INTO items (name) VALUES (?)", args: ["a"] });
    expect(one.rowsAffected).toBe(1);
    expect(one.lastInsertRowid).toBe(1n);
    expect(one.rows).toEqual([]);
    expect(one.columns).toEqual([]);
    const many = await client.execute(
      "INSERT INTO items (name, qty) VALUES ('b', 2), ('c', 3), ('d', 4)",
    );
    expect(many.rowsAffected).toBe(3);
    expect(many.lastInsertRowid).toBe(4n);
    const upd = await client.execute("UPDATE items SET qty = qty + 1 WHERE qty > 0");
    expect(upd.rowsAffected).toBe(3);
    expect(upd.lastInsertRowid).toBeUndefined();
    const sel = await client.execute("SELECT * FROM items");
    expect(sel.rowsAffected).toBe(0);
    expect(sel.lastInsertRowid).toBeUndefined();
    const ret = await client.execute("INSERT INTO items (name) VALUES ('e') RETURNING id, name");
    expect(ret.rows[0]).toMatchObject({ id: 5n, name: "e" });
    expect(ret.rowsAffected).toBe(1);
    expect(ret.lastInsertRowid).toBe(5n);
    const cte = await client.execute(
      `WITH gone AS (SELECT id FROM items WHERE name IN ('d', 'e'))
       DELETE FROM items WHERE id IN gone`,
    );
    expect(cte.rowsAffected).toBe(2);
    const ddl = await client.execute("CREATE INDEX items_qty ON items (qty)");
    expect(ddl.rowsAffected).toBe(0);
  });

  it("names columns and reports declared types", async () => {
    const rs = await client.execute(
      "SELECT id, name AS label, qty, qty * 2 AS double FROM items LIMIT 1",
    );
    expect(rs.columns).toEqual(["id", "label", "qty", "double"]);
    expect(rs.columnTypes).toEqual(["INTEGER", "TEXT", "INTEGER", ""]);
    const empty = await client.execute("SELECT name FROM items WHERE 0");
    expect(empty.columns).toEqual(["name"]);
    expect(empty.rows).toEqual([]);
  });

  it("maps SQLite errors to LibsqlError codes", async () => {
    const syntax = await expectLibsqlError(client.execute("SELEC 1"), "SQLITE_ERROR");
    expect(syntax.message).toContain("syntax error");
    const unique = await expectLibsqlError(
      client.execute("INSERT INTO items (name) VALUES ('a')"),
      "SQLITE_CONSTRAINT_UNIQUE",
    );
    expect(unique.message).toContain("UNIQUE constraint failed: items.name");
    await expectLibsqlError(
      client.execute("INSERT INTO items (name) VALUES (NULL)"),
      "SQLITE_CONSTRAINT_NOTNULL",
    );
    await expectLibsqlError(client.execute("SELECT * FROM missing"), "SQLITE_ERROR");
    await expectLibsqlError(client.execute("SELECT 1; SELECT 2"), "SQL_MANY_STATEMENTS");
    await expectLibsqlError(client.execute("-- nothing"), "SQL_NO_STATEMENT");
    // A trailing semicolon or comment is still a single statement.
    expect((await client.execute("SELECT 1 AS x; -- done")).rows[0]).toMatchObject({ x: 1n });
  });
});

describe("batches and transactions", () => {
  beforeAll(async () => {
    await client.execute("CREATE TABLE acct (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)");
    await client.execute("INSERT INTO acct VALUES ('alice', 100), ('bob', 50)");
  });

  const balances = async (c: Client = client) =>
    (await c.execute("SELECT name, balance FROM acct ORDER BY name")).rows.map((r) => [
      r.name,
      Number(r.balance),
    ]);

  it("runs a write batch atomically", async () => {
    const results = await client.batch(
      [
        { sql: "UPDATE acct SET balance = balance - ? WHERE name = ?", args: [10, "alice"] },
        { sql: "UPDATE acct SET balance = balance + ? WHERE name = ?", args: [10, "bob"] },
        "SELECT sum(balance) AS total FROM acct",
      ],
      "write",
    );
    expect(results.map((r) => r.rowsAffected)).toEqual([1, 1, 0]);
    expect(results[2]!.rows[0]).toMatchObject({ total: 150n });
    expect(await balances()).toEqual([
      ["alice", 90],
      ["bob", 60],
    ]);
  });

  it("rolls back every statement when one in the middle fails", async () => {
    const before = await balances();
    const error = await expectLibsqlError(
      client.batch(
        [
          "UPDATE acct SET balance = 0 WHERE name = 'alice'",
          "INSERT INTO acct VALUES ('bob', 1)",
          "UPDATE acct SET balance = 0 WHERE name = 'bob'",
        ],
        "write",
      ),
      "SQLITE_CONSTRAINT_PRIMARYKEY",
    );
    expect(error.message).toContain("UNIQUE constraint failed");
    expect(await balances()).toEqual(before);
    expect(await balances(other)).toEqual(before);
  });

  it("commits an interactive transaction visibly and keeps it isolated until then", async () => {
    const tx = await client.transaction("write");
    await tx.execute("INSERT INTO acct VALUES ('carol', 5)");
    const inside = await tx.execute("SELECT count(*) AS n FROM acct");
    expect(inside.rows[0]).toMatchObject({ n: 3n });
    // Uncommitted writes are invisible to another client (WAL readers see the last commit).
    expect((await other.execute("SELECT count(*) AS n FROM acct")).rows[0]).toMatchObject({ n: 2 });
    await tx.commit();
    expect(tx.closed).toBe(true);
    expect((await other.execute("SELECT count(*) AS n FROM acct")).rows[0]).toMatchObject({ n: 3 });
  });

  it("rolls back an interactive transaction invisibly", async () => {
    const before = await balances(other);
    const tx = await client.transaction("write");
    await tx.batch(["DELETE FROM acct", "INSERT INTO acct VALUES ('mallory', 1000000)"]);
    expect((await tx.execute("SELECT count(*) AS n FROM acct")).rows[0]).toMatchObject({ n: 1n });
    await tx.rollback();
    expect(await balances(other)).toEqual(before);
  });

  it("makes a second writer wait for the lock instead of failing", async () => {
    const tx = await client.transaction("write");
    await tx.execute("UPDATE acct SET balance = balance + 1 WHERE name = 'alice'");
    const waiting = other.execute("UPDATE acct SET balance = balance + 1 WHERE name = 'alice'");
    await new Promise((resolve) => setTimeout(resolve, 150));
    await tx.commit();
    expect((await waiting).rowsAffected).toBe(1);
    const alice = await other.execute("SELECT balance FROM acct WHERE name = 'alice'");
    expect(alice.rows[0]).toMatchObject({ balance: 92 });
  });

  it("runs executeMultiple as one sequence, stopping at the first error", async () => {
    await client.executeMultiple(`
      CREATE TABLE log (msg TEXT); -- comment; with a semicolon
      CREATE TABLE audit (n INTEGER);
      CREATE TRIGGER log_audit AFTER INSERT ON log BEGIN
        INSERT INTO audit VALUES (1);
        INSERT INTO audit VALUES (2);
      END;
      INSERT INTO log VALUES ('semi;colon');
    `);
    expect((await client.execute("SELECT msg FROM log")).rows[0]).toMatchObject({
      msg: "semi;colon",
    });
    expect((await client.execute("SELECT count(*) AS n FROM audit")).rows[0]).toMatchObject({
      n: 2n,
    });
    await expectLibsqlError(
      client.executeMultiple(
        "INSERT INTO log VALUES ('one'); SELEC; INSERT INTO log VALUES ('two');",
      ),
      "SQLITE_ERROR",
    );
    const msgs = await client.execute("SELECT msg FROM log ORDER BY rowid");
    expect(msgs.rows.map((r) => r.msg)).toEqual(["semi;colon", "one"]);
  });

  it("applies migrate() batches with foreign keys off, then restores them", async () => {
    const results = await client.migrate([
      { sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY)", args: [] },
      { sql: "CREATE TABLE child (pid INTEGER REFERENCES parent (id))", args: [] },
      { sql: "INSERT INTO child VALUES (99)", args: [] },
    ]);
    expect(results).toHaveLength(3);
    expect((await client.execute("SELECT pid FROM child")).rows[0]).toMatchObject({ pid: 99n });
    // A stream's PRAGMA changes never leak into another stream's connection.
    expect((await client.execute("PRAGMA foreign_keys")).rows[0]).toMatchObject({
      foreign_keys: 1n,
    });
    await expectLibsqlError(
      client.execute("INSERT INTO child VALUES (100)"),
      "SQLITE_CONSTRAINT_FOREIGNKEY",
    );
  });

  it("serves many concurrent requests", async () => {
    await client.execute("CREATE TABLE hits (n INTEGER)");
    await Promise.all(
      Array.from({ length: 60 }, (_, n) =>
        (n % 2 ? client : other).execute({ sql: "INSERT INTO hits VALUES (?)", args: [n] }),
      ),
    );
    const rs = await other.execute("SELECT count(*) AS c, sum(n) AS s FROM hits");
    expect(rs.rows[0]).toMatchObject({ c: 60, s: (59 * 60) / 2 });
  });
});

describe("raw protocol", () => {
  it("stores SQL texts per stream and runs batches with conditions", async () => {
    const res = await pipeline(server, null, [
      { type: "store_sql", sql_id: 1, sql: "SELECT ? * 2 AS v" },
      { type: "execute", stmt: { sql_id: 1, args: [{ type: "integer", value: "21" }] } },
      {
        type: "batch",
        batch: {
          steps: [
            { stmt: { sql: "SELECT 1" } },
            { stmt: { sql: "SELEC" } },
            { condition: { type: "ok", step: 1 }, stmt: { sql: "SELECT 'skipped'" } },
            { condition: { type: "error", step: 1 }, stmt: { sql: "SELECT 'ran'" } },
            {
              condition: {
                type: "and",
                conds: [
                  { type: "ok", step: 0 },
                  { type: "not", cond: { type: "ok", step: 2 } },
                ],
              },
              stmt: { sql_id: 1, args: [{ type: "float", value: 1.25 }], want_rows: false },
            },
          ],
        },
      },
      { type: "close_sql", sql_id: 1 },
      { type: "describe", sql: "SELECT id AS x, :p FROM items WHERE qty > ?3" },
      { type: "describe", sql: "INSERT INTO items (name) VALUES (?)" },
      { type: "sequence", sql: "SELECT 1; SELECT 2" },
      { type: "close" },
    ]);
    expect(res.baton).toBeNull();
    const [stored, executed, batch, closedSql, describeSelect, describeInsert, sequence] =
      res.results;
    expect(stored).toEqual({ type: "ok", response: { type: "store_sql" } });
    expect(executed).toMatchObject({
      type: "ok",
      response: {
        type: "execute",
        result: {
          cols: [{ name: "v", decltype: null }],
          rows: [[{ type: "integer", value: "42" }]],
          affected_row_count: 0,
          last_insert_rowid: null,
        },
      },
    });
    type BatchOk = { response: { result: { step_results: unknown[]; step_errors: unknown[] } } };
    const result = (batch as BatchOk).response.result;
    expect(result.step_results.map((r) => r !== null)).toEqual([true, false, false, true, true]);
    expect(result.step_errors.map((e) => e !== null)).toEqual([false, true, false, false, false]);
    expect(result.step_errors[1]).toMatchObject({ code: "SQLITE_ERROR" });
    expect(result.step_results[4]).toMatchObject({ rows: [], cols: [{ name: "v" }] });
    expect(closedSql).toEqual({ type: "ok", response: { type: "close_sql" } });
    expect(describeSelect).toEqual({
      type: "ok",
      response: {
        type: "describe",
        result: {
          params: [{ name: ":p" }, { name: null }, { name: "?3" }],
          cols: [
            { name: "x", decltype: "INTEGER" },
            { name: ":p", decltype: null },
          ],
          is_explain: false,
          is_readonly: true,
        },
      },
    });
    expect(describeInsert).toMatchObject({
      response: { result: { is_readonly: false, cols: [] } },
    });
    expect(sequence).toEqual({ type: "ok", response: { type: "sequence" } });
  });

  it("fails the request for an unknown sql_id or a forward condition", async () => {
    const missing = { type: "execute", stmt: {} };
    expect((await post(server, "v2/pipeline", { baton: null, requests: [missing] })).status).toBe(
      400,
    );
    const both = exec("SELECT 1", { sql_id: 1 });
    expect((await post(server, "v2/pipeline", { baton: null, requests: [both] })).status).toBe(400);
    const unknownId = { type: "execute", stmt: { sql_id: 7 } };
    expect((await post(server, "v2/pipeline", { baton: null, requests: [unknownId] })).status).toBe(
      400,
    );
    const forward = {
      type: "batch",
      batch: { steps: [{ condition: { type: "ok", step: 0 }, stmt: { sql: "SELECT 1" } }] },
    };
    expect((await post(server, "v2/pipeline", { baton: null, requests: [forward] })).status).toBe(
      400,
    );
    const v3Only = { type: "get_autocommit" };
    expect((await post(server, "v2/pipeline", { baton: null, requests: [v3Only] })).status).toBe(
      400,
    );
  });

  it("speaks v3 JSON: get_autocommit, is_autocommit and cursors", async () => {
    const begin = await post(server, "v3/pipeline", {
      baton: null,
      requests: [exec("BEGIN"), { type: "get_autocommit" }],
    });
    const body = begin.body as PipelineBody;
    expect(body.results[1]).toEqual({
      type: "ok",
      response: { type: "get_autocommit", is_autocommit: false },
    });
    const cursor = await post(server, "v3/cursor", {
      baton: body.baton,
      batch: {
        steps: [
          { stmt: { sql: "SELECT 1 AS a UNION ALL SELECT 2" } },
          { condition: { type: "is_autocommit" }, stmt: { sql: "SELECT 'not run'" } },
          { stmt: { sql: "SELEC" } },
          { stmt: { sql: "ROLLBACK" } },
        ],
      },
    });
    expect(cursor.status).toBe(200);
    const lines = String(cursor.body)
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toEqual({ baton: expect.any(String), base_url: null });
    expect(lines.slice(1).map((l) => l.type)).toEqual([
      "step_begin",
      "row",
      "row",
      "step_end",
      "step_error",
      "step_begin",
      "step_end",
    ]);
    expect(lines[1]).toEqual({
      type: "step_begin",
      step: 0,
      cols: [{ name: "a", decltype: null }],
    });
    expect(lines[2]).toEqual({ type: "row", row: [{ type: "integer", value: "1" }] });
    expect(lines[5]).toMatchObject({
      type: "step_error",
      step: 2,
      error: { code: "SQLITE_ERROR" },
    });
    expect(lines[6]).toMatchObject({ type: "step_begin", step: 3 });
    const after = await post(server, "v3/pipeline", {
      baton: lines[0]!.baton,
      requests: [{ type: "get_autocommit" }, { type: "close" }],
    });
    expect((after.body as PipelineBody).results[0]).toMatchObject({
      response: { is_autocommit: true },
    });
  });
});

describe("stream expiry", () => {
  let short: LibsqlServer;
  beforeAll(async () => {
    short = await startLibsqlServer({ path: join(dir, "expiry.db"), port: 0, streamIdleMs: 100 });
  });
  afterAll(async () => {
    await short?.close();
  });

  it("expires idle streams and rolls back their transaction", async () => {
    await pipeline(short, null, [exec("CREATE TABLE t (x)"), { type: "close" }]);
    const open = await pipeline(short, null, [
      exec("BEGIN IMMEDIATE"),
      exec("INSERT INTO t VALUES (1)"),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const late = await post(short, "v2/pipeline", {
      baton: open.baton,
      requests: [exec("COMMIT")],
    });
    expect(late.status).toBe(500);
    expect(late.body).toMatchObject({ code: "STREAM_EXPIRED" });
    const c = createClient({ url: short.url });
    try {
      expect((await c.execute("SELECT count(*) AS n FROM t")).rows[0]).toMatchObject({ n: 0 });
      // The lock is gone too: a new writer does not wait.
      expect((await c.execute("INSERT INTO t VALUES (2)")).rowsAffected).toBe(1);
    } finally {
      c.close();
    }
  });

  it("closes the old transaction when a stream expires while the client keeps it", async () => {
    const c = createClient({ url: short.url });
    try {
      const tx = await c.transaction("write");
      await tx.execute("INSERT INTO t VALUES (3)");
      await new Promise((resolve) => setTimeout(resolve, 400));
      await expectLibsqlError(tx.commit(), "STREAM_EXPIRED");
      expect((await c.execute("SELECT count(*) AS n FROM t WHERE x = 3")).rows[0]).toMatchObject({
        n: 0,
      });
    } finally {
      c.close();
    }
  });
});

describe("lock timeouts", () => {
  let busy: LibsqlServer;
  let a: Client;
  let b: Client;
  beforeAll(async () => {
    busy = await startLibsqlServer({ path: join(dir, "busy.db"), port: 0, busyTimeoutMs: 150 });
    a = createClient({ url: busy.url });
    b = createClient({ url: busy.url });
    await a.execute("CREATE TABLE t (x)");
  });
  afterAll(async () => {
    a?.close();
    b?.close();
    await busy?.close();
  });

  const count = async () => (await b.execute("SELECT count(*) AS n FROM t")).rows[0]?.n;

  it("gives up with SQLITE_BUSY after the busy timeout, then serves fresh data", async () => {
    const tx = await a.transaction("write");
    await tx.execute("INSERT INTO t VALUES (1)");
    const started = Date.now();
    await expectLibsqlError(b.execute("INSERT INTO t VALUES (2)"), "SQLITE_BUSY");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await tx.commit();
    await a.execute("INSERT INTO t VALUES (3)");
    // The failed connection pinned an old snapshot; it must not serve later streams (concurrent
    // reads draw on every pooled connection).
    expect(await Promise.all([count(), count(), count(), count()])).toEqual([2, 2, 2, 2]);
  });

  it("reports a stale snapshot in a deferred transaction, then recovers", async () => {
    const before = Number(await count());
    const tx = await b.transaction("deferred");
    expect((await tx.execute("SELECT count(*) AS n FROM t")).rows[0]).toMatchObject({ n: before });
    await a.execute("INSERT INTO t VALUES (4)");
    await expectLibsqlError(tx.execute("INSERT INTO t VALUES (5)"), "SQLITE_BUSY_SNAPSHOT");
    await tx.rollback();
    await a.execute("INSERT INTO t VALUES (6)");
    const after = before + 2;
    expect(await Promise.all([count(), count(), count(), count()])).toEqual([
      after,
      after,
      after,
      after,
    ]);
    expect((await b.execute("INSERT INTO t VALUES (7)")).rowsAffected).toBe(1);
  });
});

describe("auth and :memory:", () => {
  let secured: LibsqlServer;
  beforeAll(async () => {
    secured = await startLibsqlServer({ path: ":memory:", port: 0, authToken: "s3cret" });
  });
  afterAll(async () => {
    await secured?.close();
  });

  it("requires the bearer token when one is configured", async () => {
    const request = { baton: null, requests: [exec("SELECT 1")] };
    expect((await post(secured, "v2/pipeline", request)).status).toBe(401);
    const wrong = await post(secured, "v2/pipeline", request, { authorization: "Bearer nope" });
    expect(wrong.status).toBe(401);
    const right = await post(secured, "v2/pipeline", request, { authorization: "Bearer s3cret" });
    expect(right.status).toBe(200);
    expect((await fetch(`${secured.url}/health`)).status).toBe(200);

    const anonymous = createClient({ url: secured.url });
    const authed = createClient({ url: secured.url, authToken: "s3cret" });
    try {
      const denied = await expectLibsqlError(anonymous.execute("SELECT 1"), "SERVER_ERROR");
      expect(denied.message).toContain("401");
      expect((await authed.execute("SELECT 1 AS one")).rows[0]).toMatchObject({ one: 1 });
    } finally {
      anonymous.close();
      authed.close();
    }
  });

  it("shares one in-memory database across streams", async () => {
    const c = createClient({ url: secured.url, authToken: "s3cret" });
    try {
      await c.execute("CREATE TABLE shared (x)");
      await c.execute("INSERT INTO shared VALUES (1)");
      expect((await c.execute("SELECT count(*) AS n FROM shared")).rows[0]).toMatchObject({ n: 1 });
    } finally {
      c.close();
    }
  });
});
