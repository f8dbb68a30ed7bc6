/**
 * `dataspine audit verify|tail` as a real child process against temp databases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditTail } from "../../src/audit/read";
import { appendEvents, makeMigratedDb, runWithDb, sql, tamperableCopy } from "../fixtures/audit-db";
import { dataspine } from "../fixtures/cli";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let intact: TempDb;
let tampered: TempDb;

beforeAll(async () => {
  intact = await makeMigratedDb();
  await appendEvents(intact.url, 5);
  tampered = await tamperableCopy(intact);
  await sql(tampered.url, `UPDATE core_audit_log SET new_state = '{"received":0}' WHERE seq = 3`);
});
afterAll(async () => {
  await tampered.cleanup();
  await intact.cleanup();
});

describe("dataspine audit", () => {
  it("verify --json exits 0 with the report for an intact log", async () => {
    const head = (await runWithDb(intact.url, listAuditTail(1)))[0];
    const result = await dataspine(intact.url, "audit", "verify", "--json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ok: true,
      entries: 5,
      head: { seq: 5, entry_hash: head?.entry_hash },
    });
  });

  it("verify --json exits 1 and names the first broken entry of a tampered log", async () => {
    const third = (await runWithDb(tampered.url, listAuditTail(5)))[2];
    const result = await dataspine(tampered.url, "audit", "verify", "--json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      entries: 5,
      first_broken: { seq: 3, audit_id: third?.audit_id, reason: "hash_mismatch" },
    });
  });

  it("verify without --json tells a person where the chain breaks", async () => {
    const result = await dataspine(tampered.url, "audit", "verify");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^audit chain BROKEN at seq 3 \(aud_[^)]+\): hash_mismatch\n/);
  });

  it("tail --limit 2 --json lists the newest entries, oldest first, JSON columns parsed", async () => {
    const result = await dataspine(intact.url, "audit", "tail", "--limit", "2", "--json");
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((r) => r.seq)).toEqual([4, 5]);
    expect(rows[1]).toMatchObject({ event_type: "ingested", new_state: { received: 5 } });
  });

  it("a database without the audit table exits 2 without creating it", async () => {
    const empty = await makeTempDb();
    try {
      const result = await dataspine(empty.url, "audit", "verify", "--json");
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: "DatabaseError" });
      expect(
        await sql(empty.url, "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'"),
      ).toEqual([expect.objectContaining({ n: 0 })]);
    } finally {
      await empty.cleanup();
    }
  });

  it("an unknown action is a usage error (exit 2)", async () => {
    const result = await dataspine(intact.url, "audit", "rewrite");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/audit needs verify or tail/);
  });
});
