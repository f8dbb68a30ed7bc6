/**
 * Concurrent appends stay one linear chain: several clients (each with its own connections,
 * like Worker isolates, actors and the CLI) append at once over an embedded file, over the
 * project's Hrana-over-HTTP server, and over both at once on the same file.
 */
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../src/audit/log";
import { listAuditTail } from "../../src/audit/read";
import { verifyAuditChain } from "../../src/audit/verify";
import type { AuditEvent } from "../../src/core/model/audit-event";
import { type LibsqlServer, startLibsqlServer } from "../../src/node/dev/libsql-server/server";
import { makeMigratedDb, runWithDb, testEvent } from "../fixtures/audit-db";
import type { TempDb } from "../fixtures/temp-db";

const APPENDS_PER_WRITER = 15;
/** Entries per append cycle 1, 2, 3: batches must land contiguous and in order. */
const batchSize = (append: number) => (append % 3) + 1;

const batch = (tag: string, writer: number, append: number): Array<AuditEvent> =>
  Array.from({ length: batchSize(append) }, (_, k) =>
    testEvent(append, { executionId: `${tag}.w${writer}.a${append}.e${k}` }),
  );

/** One writer: its own client, all of its appends fired at once. */
const writer = (url: string, tag: string, index: number) =>
  runWithDb(
    url,
    Effect.forEach(
      Array.from({ length: APPENDS_PER_WRITER }, (_, i) => i),
      (append) => appendAudit(batch(tag, index, append), new Date().toISOString()),
      { concurrency: "unbounded", discard: true },
    ),
  );

const expectedEntries = (writers: number) => {
  let perWriter = 0;
  for (let i = 0; i < APPENDS_PER_WRITER; i++) perWriter += batchSize(i);
  return writers * perWriter;
};

/** The chain verifies, every event is there once, and every batch is contiguous. */
const expectLinearChain = async (url: string, entries: number) => {
  expect(await runWithDb(url, verifyAuditChain({ pageSize: 64 }))).toMatchObject({
    ok: true,
    entries,
  });
  const rows = await runWithDb(url, listAuditTail(entries + 10));
  expect(rows).toHaveLength(entries);
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  // No fork: no two entries name the same predecessor.
  expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(entries);
  expect(new Set(rows.map((r) => r.execution_id)).size).toBe(entries);
  for (const [i, row] of rows.entries()) {
    const k = Number(row.execution_id?.split(".e")[1]);
    if (k > 0) {
      expect(rows[i - 1]?.execution_id).toBe(row.execution_id?.replace(/\.e\d+$/, `.e${k - 1}`));
    }
  }
};

describe("concurrent audit appends", () => {
  let file: TempDb;
  let served: TempDb;
  let server: LibsqlServer;
  beforeAll(async () => {
    file = await makeMigratedDb();
    served = await makeMigratedDb();
    server = await startLibsqlServer({ path: served.path, port: 0 });
  });
  afterAll(async () => {
    await server.close();
    await served.cleanup();
    await file.cleanup();
  });

  it("over an embedded file from several clients", async () => {
    await Promise.all(Array.from({ length: 4 }, (_, w) => writer(file.url, "file", w)));
    await expectLinearChain(file.url, expectedEntries(4));
  });

  it("over HTTP (the project's libSQL server) from several clients", async () => {
    await Promise.all(Array.from({ length: 4 }, (_, w) => writer(server.url, "http", w)));
    await expectLinearChain(served.url, expectedEntries(4));
  });

  it("over HTTP and the file underneath it at the same time", async () => {
    const before = expectedEntries(4);
    await Promise.all([
      ...Array.from({ length: 2 }, (_, w) => writer(server.url, "mixed-http", w)),
      ...Array.from({ length: 2 }, (_, w) => writer(served.url, "mixed-file", w)),
    ]);
    await expectLinearChain(served.url, before + expectedEntries(4));
  });
});
