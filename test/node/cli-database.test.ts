/**
 * The CLI before its database: a `LIBSQL_URL` that does not answer, or refuses the token, is
 * one plain line and exit 1 (never a stack trace); commands that need no database still run.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LibsqlServer, startLibsqlServer } from "../../src/node/dev/libsql-server/server";
import { dataspine, dataspineWith } from "../fixtures/cli";
import { freePort } from "../fixtures/ports";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let closed: string;
let temp: TempDb;
let server: LibsqlServer;

beforeAll(async () => {
  closed = `http://127.0.0.1:${await freePort()}`;
  temp = await makeTempDb();
  server = await startLibsqlServer({ path: temp.path, port: await freePort(), authToken: "right" });
});

afterAll(async () => {
  await server.close();
  await temp.cleanup();
});

describe("a database that cannot be used", () => {
  it("no server at LIBSQL_URL: one line naming the URL and the cause, exit 1", async () => {
    const res = await dataspine(closed, "dead-letters");
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      new RegExp(
        `^error: the database at ${closed} \\(LIBSQL_URL\\) does not answer: .*ECONNREFUSED`,
      ),
    );
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.stdout).toBe("");
  });

  it("with --json the failure is one JSON document on stdout", async () => {
    const res = await dataspine(closed, "anomalies", "--json");
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toMatchObject({ error: "DatabaseUnreachable" });
  });

  it("a refused token is named as the cause, and the token never printed", async () => {
    const res = await dataspineWith({ LIBSQL_AUTH_TOKEN: "wrong-token" }, server.url, "migrate");
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^error: the database at .* does not answer: .*401/);
    expect(res.stderr).not.toContain("wrong-token");
  });

  it("the right token passes the check and the command runs", async () => {
    const res = await dataspineWith({ LIBSQL_AUTH_TOKEN: "right" }, server.url, "migrate");
    expect({ code: res.code, stdout: res.stdout }).toEqual({
      code: 0,
      stdout: "migrations applied\n",
    });
  });

  it("commands that need no database run whatever LIBSQL_URL says", async () => {
    const a = join(temp.dir, "a.jsonl");
    await writeFile(a, '{"id":1,"px":"1.5"}\n');
    const res = await dataspine(closed, "diff", a, a, "--key", "id", "--json");
    expect(res.code).toBe(0);
    expect((await dataspine(closed, "pipelines")).code).toBe(0);
  });
});

describe("each command takes only its own options", () => {
  it("migrate refuses a server's option instead of ignoring it", async () => {
    const res = await dataspineWith(
      { LIBSQL_AUTH_TOKEN: "right" },
      server.url,
      "migrate",
      "--db",
      "x",
    );
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("Unknown option '--db'");
  });
});
