/**
 * The Worker's libSQL client (`src/db/hrana/client.ts`) against `@libsql/client`, the client
 * it replaced: each runs the same script of statements, batches, migrations and transactions
 * against a database of its own behind the local Hrana server (real HTTP), and every result
 * (columns, types, rows by index and by name, counts, row ids, JSON) and every error (class,
 * code, message, statement index) must be the same. Also drizzle over it (`drizzleOver`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Client, createClient, type ResultSet } from "@libsql/client";
import { eq } from "drizzle-orm";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient } from "../../src/db/hrana/client";
import { drizzleOver } from "../../src/db/hrana/drizzle";
import { type LibsqlServer, startLibsqlServer } from "../../src/node/dev/libsql-server/server";

let dir: string;
const servers: Array<LibsqlServer> = [];
let ours: Client;
let theirs: Client;

const start = async (name: string, authToken?: string) => {
  const server = await startLibsqlServer({
    path: join(dir, `${name}.db`),
    port: 0,
    ...(authToken ? { authToken } : {}),
  });
  servers.push(server);
  return server;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataspine-hrana-client-"));
  ours = createHttpClient({ url: (await start("ours")).url });
  theirs = createClient({ url: (await start("theirs")).url });
});

afterAll(async () => {
  theirs?.close();
  for (const server of servers) await server.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What a result set shows: by index, by (enumerable) name, counts, ids, JSON. */
const view = (rs: ResultSet) => ({
  columns: rs.columns,
  columnTypes: rs.columnTypes,
  rows: rs.rows.map((row) => ({
    length: row.length,
    values: Array.from({ length: row.length }, (_, i) => row[i]),
    named: { ...row },
    keys: Object.keys(row),
  })),
  rowsAffected: rs.rowsAffected,
  lastInsertRowid: rs.lastInsertRowid,
  json: JSON.stringify(rs),
});

/** A call's outcome: its viewed value, or its error's class, code, message and index. */
const outcome = async (run: () => Promise<unknown>) => {
  try {
    const value = await run();
    if (Array.isArray(value)) return { ok: value.map((rs) => view(rs as ResultSet)) };
    return { ok: value === undefined ? undefined : view(value as ResultSet) };
  } catch (e) {
    const error = e as Error & { code?: string; statementIndex?: number };
    return {
      error: error.constructor.name,
      code: error.code,
      message: error.message,
      statementIndex: error.statementIndex,
    };
  }
};

/** Runs `script` on both clients, step by step; each step must end the same way. */
const same = async (script: ReadonlyArray<(c: Client) => Promise<unknown>>) => {
  for (const [i, step] of script.entries()) {
    const a = await outcome(() => step(ours));
    const b = await outcome(() => step(theirs));
    expect({ step: i, ...a }).toEqual({ step: i, ...b });
  }
};

const count = (c: Client, table: string) => c.execute(`SELECT count(*) AS n FROM ${table}`);

describe("the Worker's libSQL client answers as @libsql/client does", () => {
  it("executes with positional and named arguments of every type", async () => {
    await same([
      (c) =>
        c.execute(
          "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, price REAL, amount TEXT, data BLOB, flag INTEGER, at NUMERIC)",
        ),
      (c) =>
        c.execute({
          sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
          args: [1, "a", 1.5, 3, new Uint8Array([0, 1, 254, 255]), true, new Date(86_400_000)],
        }),
      (c) =>
        c.execute({
          sql: "INSERT INTO t (id, name, amount, flag) VALUES (:id, :name, :amount, :flag)",
          args: { id: 2n, name: "b\u00e9\u{1F600}", amount: "10.25", flag: false },
        }),
      (c) => c.execute("INSERT INTO t (id, name) VALUES (?, ?)", [3, null]),
      (c) => c.execute("SELECT * FROM t ORDER BY id"),
      (c) => c.execute("SELECT id, name AS id, 1 + 1, x'00ff' AS b FROM t WHERE id = ?", [1]),
      (c) => c.execute({ sql: "INSERT INTO t (id) VALUES (?)", args: [2n ** 53n + 1n] }),
      (c) => c.execute("SELECT id FROM t WHERE id > 3"),
      (c) => c.execute({ sql: "SELECT ?", args: [2n ** 63n] }),
      (c) => c.execute({ sql: "SELECT ?", args: [Number.NaN] }),
      (c) => c.execute("UPDATE t SET price = price * 2 WHERE price IS NOT NULL"),
      (c) => c.execute("DELETE FROM t WHERE id > 3"),
    ]);
  });

  it("reports SQLite errors with their codes", async () => {
    await same([
      (c) => c.execute("SELEC 1"),
      (c) => c.execute("INSERT INTO t (id, name) VALUES (9, 'a')"),
      (c) => c.execute("SELECT * FROM missing_table"),
      (c) => c.execute({ sql: "SELECT ?", args: [] }),
    ]);
  });

  it("runs a batch in one transaction, and rolls it all back when a statement fails", async () => {
    await same([
      (c) =>
        c.batch(
          [
            "CREATE TABLE b (k TEXT PRIMARY KEY, v INTEGER)",
            { sql: "INSERT INTO b VALUES (?, ?)", args: ["x", 1] },
            ["INSERT INTO b VALUES (?, ?)", ["y", 2]],
            "SELECT * FROM b ORDER BY k",
          ],
          "write",
        ),
      (c) =>
        c.batch(
          [
            "INSERT INTO b VALUES ('z', 3)",
            "INSERT INTO b VALUES ('x', 4)",
            "INSERT INTO b VALUES ('w', 5)",
          ],
          "write",
        ),
      (c) => count(c, "b"),
      (c) => c.batch(["SELECT k FROM b ORDER BY k"], "read"),
      (c) => c.batch([]),
      (c) => c.batch(["SELECT 1", "SELEC 2"], "deferred"),
    ]);
  });

  it("migrates with foreign keys off and runs several statements at once", async () => {
    await same([
      (c) =>
        c.migrate([
          { sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY)" },
          { sql: "CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id))" },
          { sql: "INSERT INTO child VALUES (1, 42)" },
        ]),
      (c) =>
        c.executeMultiple(
          "CREATE TABLE m (a); INSERT INTO m VALUES (1); INSERT INTO m VALUES (2);",
        ),
      (c) => count(c, "m"),
      (c) => c.executeMultiple("INSERT INTO m VALUES (3); SELEC 4;"),
      (c) => count(c, "m"),
    ]);
  });

  it("runs interactive transactions: commit, rollback, a failing statement, after close", async () => {
    const steps = (c: Client) => {
      let tx: Awaited<ReturnType<Client["transaction"]>>;
      return [
        async () => {
          tx = await c.transaction("write");
        },
        () => tx.execute("CREATE TABLE x (a INTEGER UNIQUE)"),
        () =>
          tx.batch(["INSERT INTO x VALUES (1)", { sql: "INSERT INTO x VALUES (?)", args: [2] }]),
        () => tx.execute("SELECT * FROM x ORDER BY a"),
        () => tx.commit(),
        () => count(c, "x"),
        async () => {
          tx = await c.transaction();
        },
        () => tx.execute("INSERT INTO x VALUES (3)"),
        () => tx.batch(["INSERT INTO x VALUES (4)", "INSERT INTO x VALUES (1)", "SELECT 1"]),
        () => tx.execute("SELECT count(*) AS n FROM x"),
        () => tx.rollback(),
        () => tx.execute("SELECT 1"),
        () => tx.commit(),
        () => count(c, "x"),
        async () => {
          tx = await c.transaction("deferred");
        },
        () => tx.commit(),
      ];
    };
    const a = steps(ours);
    const b = steps(theirs);
    await same(a.map((_, i) => (c: Client) => (c === ours ? a[i] : b[i])?.() ?? Promise.resolve()));
  });

  it("refuses a missing or wrong token as the server answers, and accepts the right one", async () => {
    const secured = await start("secured", "s3cret");
    for (const authToken of [undefined, "nope", "s3cret"]) {
      const a = createHttpClient({ url: secured.url, ...(authToken ? { authToken } : {}) });
      const b = createClient({ url: secured.url, ...(authToken ? { authToken } : {}) });
      try {
        expect(await outcome(() => a.execute("SELECT 1 AS one"))).toEqual(
          await outcome(() => b.execute("SELECT 1 AS one")),
        );
      } finally {
        b.close();
      }
    }
  });

  it("fails a request to nothing with fetch's error, and a closed client at once", async () => {
    const gone = await start("gone");
    const client = createHttpClient({ url: gone.url });
    await gone.close();
    await expect(client.execute("SELECT 1")).rejects.toThrow(TypeError);
    client.close();
    await expect(client.execute("SELECT 1")).rejects.toMatchObject({ code: "HRANA_CLOSED_ERROR" });
    expect(() => createHttpClient({ url: "file:local.db" })).toThrow(/URL_SCHEME_NOT_SUPPORTED/);
  });
});

describe("drizzle over it", () => {
  const items = sqliteTable("items", {
    id: integer("id").primaryKey(),
    name: text("name").notNull(),
  });

  it("builds, batches and reads relationally", async () => {
    const db = drizzleOver(ours, { items });
    await db.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    await db.batch([
      db.insert(items).values({ id: 1, name: "one" }),
      db.insert(items).values({ id: 2, name: "two" }),
    ]);
    expect(await db.select().from(items).where(eq(items.id, 2))).toEqual([{ id: 2, name: "two" }]);
    expect(await db.query.items.findFirst({ where: eq(items.id, 1) })).toEqual({
      id: 1,
      name: "one",
    });
    expect(await db.all("SELECT count(*) AS n FROM items")).toEqual([{ n: 2 }]);
    expect(db.$client).toBe(ours);
  });
});
