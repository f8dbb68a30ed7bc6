/**
 * The local libSQL endpoint's request counters (`GET /__stats`): what `npm run bench:edge` and
 * the round-trip tests read to count a piece of work's requests at the endpoint itself.
 */
import { type Client, createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RequestStatsSnapshot,
  statementLabel,
  statsDelta,
} from "../../src/node/dev/libsql-server/request-stats";
import { type LibsqlServer, startLibsqlServer } from "../../src/node/dev/libsql-server/server";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
let server: LibsqlServer;
let client: Client;

const stats = async (token?: string) => {
  const res = await fetch(`${server.url}/__stats`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(res.status).toBe(200);
  return (await res.json()) as RequestStatsSnapshot;
};

beforeAll(async () => {
  db = await makeTempDb();
  server = await startLibsqlServer({ path: db.path, port: 0 });
  client = createClient({ url: server.url });
});

afterAll(async () => {
  client?.close();
  await server?.close();
  await db?.cleanup();
});

describe("GET /__stats", () => {
  it("counts each HTTP request once, with its stream requests and statements", async () => {
    await client.execute("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)");
    const before = await stats();
    await client.execute({ sql: "INSERT INTO t (a, b) VALUES (?, ?)", args: [1, "x"] });
    await client.batch(
      [
        { sql: "INSERT INTO t (a, b) VALUES (?, ?)", args: [2, "y"] },
        { sql: "UPDATE t SET b = ? WHERE a = ?", args: ["z", 1] },
      ],
      "write",
    );
    const rows = await client.execute("SELECT a, b FROM t ORDER BY a");
    expect(rows.rows.length).toBe(2);
    const delta = statsDelta(before, await stats());
    expect(delta.http_requests).toBe(3);
    // The client picks the protocol version; either pipeline route is one round trip.
    expect(Object.keys(delta.by_route)).toHaveLength(1);
    expect(Object.keys(delta.by_route)[0]).toMatch(/^\/v[23]\/pipeline$/);
    // The client closes its stream in the same request as the statement.
    expect(delta.stream_requests).toMatchObject({ execute: 2, batch: 1, close: 3 });
    expect(delta.by_statements).toEqual({
      "INSERT t": 1,
      "BEGIN + INSERT t + UPDATE t + COMMIT + ROLLBACK": 1,
      "SELECT t": 1,
    });
    expect(delta.statements).toBe(7);
    // The same counters without HTTP, for a server in the test's own process.
    expect(server.stats().http_requests).toBe((await stats()).http_requests);
  });

  it("labels a statement sent by a SQL id stored in the same request", async () => {
    const before = await stats();
    const res = await fetch(`${server.url}/v3/pipeline`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        baton: null,
        requests: [
          { type: "store_sql", sql_id: 1, sql: "DELETE FROM t WHERE a = 2" },
          { type: "execute", stmt: { sql_id: 1 } },
          { type: "close" },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const delta = statsDelta(before, await stats());
    expect(delta.by_statements).toEqual({ "DELETE t": 1 });
    expect(delta.stream_requests).toEqual({ store_sql: 1, execute: 1, close: 1 });
  });

  it("asks for the token when the server has one", async () => {
    const guarded = await startLibsqlServer({ path: db.path, port: 0, authToken: "s3cret" });
    try {
      expect((await fetch(`${guarded.url}/__stats`)).status).toBe(401);
      const ok = await fetch(`${guarded.url}/__stats`, {
        headers: { authorization: "Bearer s3cret" },
      });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as RequestStatsSnapshot).http_requests).toBe(0);
    } finally {
      await guarded.close();
    }
  });
});

describe("statementLabel", () => {
  it("names the verb and the table written or read", () => {
    expect(statementLabel("INSERT INTO core_manifest (a) VALUES (?)")).toBe("INSERT core_manifest");
    expect(statementLabel("insert or replace into t values (1)")).toBe("INSERT t");
    expect(
      statementLabel(
        "WITH t(v) AS MATERIALIZED (SELECT jsonb(value) FROM json_each(?1))\nINSERT INTO trades (a) SELECT v->>0 FROM t",
      ),
    ).toBe("INSERT trades");
    expect(statementLabel('UPDATE "core_anomalies" SET x = 1')).toBe("UPDATE core_anomalies");
    expect(statementLabel("DELETE FROM t WHERE a = 1")).toBe("DELETE t");
    expect(statementLabel("SELECT seq FROM core_audit_log ORDER BY seq DESC")).toBe(
      "SELECT core_audit_log",
    );
    expect(statementLabel("BEGIN IMMEDIATE")).toBe("BEGIN");
    expect(statementLabel("PRAGMA journal_mode")).toBe("PRAGMA");
  });
});
