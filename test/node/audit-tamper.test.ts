/**
 * Tampering detection. The database refuses UPDATE and DELETE, so the attacker here has
 * dropped the append-only triggers on a copy and edits it directly.
 */
import { Effect } from "effect";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AuditRow, auditEntryHash } from "../../src/audit/hash-chain";
import { listAuditTail } from "../../src/audit/read";
import { verifyAuditChain } from "../../src/audit/verify";
import { appendEvents, makeMigratedDb, runWithDb, sql, tamperableCopy } from "../fixtures/audit-db";
import type { TempDb } from "../fixtures/temp-db";

const ENTRIES = 10;
let original: TempDb;
const copies: Array<TempDb> = [];

beforeAll(async () => {
  original = await makeMigratedDb();
  await appendEvents(original.url, ENTRIES);
});
afterEach(async () => {
  for (const copy of copies.splice(0)) await copy.cleanup();
});
afterAll(() => original.cleanup());

const tampered = async () => {
  const copy = await tamperableCopy(original);
  copies.push(copy);
  return copy;
};

const rowAt = async (url: string, seq: number): Promise<AuditRow> => {
  const row = (await runWithDb(url, listAuditTail(ENTRIES))).find((r) => r.seq === seq);
  if (!row) throw new Error(`no entry ${seq}`);
  return row;
};

/** Overwrites one entry's new_state and, if `rehash`, its entry_hash to match. */
const editNewState = async (url: string, seq: number, rehash: boolean) => {
  const row = await rowAt(url, seq);
  const newState = '{"received":999999}';
  const hash = await Effect.runPromise(
    auditEntryHash(row.prev_hash ?? "", { ...row, new_state: newState }),
  );
  await sql(
    url,
    `UPDATE core_audit_log SET new_state = '${newState}'${rehash ? `, entry_hash = '${hash}'` : ""} WHERE seq = ${seq}`,
  );
};

/** Re-links every entry from `fromSeq` on to its present predecessor, as a careful attacker would. */
const relinkFrom = async (url: string, fromSeq: number) => {
  const rows = await runWithDb(url, listAuditTail(ENTRIES));
  let prev = rows.filter((r) => r.seq < fromSeq).at(-1)?.entry_hash ?? "";
  for (const row of rows.filter((r) => r.seq >= fromSeq)) {
    const hash = await Effect.runPromise(auditEntryHash(prev, row));
    await sql(
      url,
      `UPDATE core_audit_log SET prev_hash = '${prev}', entry_hash = '${hash}' WHERE seq = ${row.seq}`,
    );
    prev = hash;
  }
};

describe("verifyAuditChain on a tampered log", () => {
  it("the untouched original verifies", async () => {
    expect(await runWithDb(original.url, verifyAuditChain())).toMatchObject({
      ok: true,
      entries: ENTRIES,
    });
  });

  it("(a) an edited new_state is a hash mismatch at that entry", async () => {
    const copy = await tampered();
    await editNewState(copy.url, 5, false);
    const report = await runWithDb(copy.url, verifyAuditChain({ pageSize: 3 }));
    expect(report).toMatchObject({
      ok: false,
      entries: ENTRIES,
      first_broken: {
        seq: 5,
        audit_id: (await rowAt(copy.url, 5)).audit_id,
        reason: "hash_mismatch",
      },
    });
    expect(report.first_broken?.detail).toMatch(/does not match its content/);
  });

  it("(b) a deleted middle entry is reported at the next seq as missing", async () => {
    const copy = await tampered();
    await sql(copy.url, "DELETE FROM core_audit_log WHERE seq = 5");
    const report = await runWithDb(copy.url, verifyAuditChain());
    expect(report).toMatchObject({
      ok: false,
      entries: ENTRIES - 1,
      first_broken: {
        seq: 6,
        audit_id: (await rowAt(copy.url, 6)).audit_id,
        reason: "missing_entries",
      },
    });
    expect(report.first_broken?.detail).toBe("seq 5 missing before this entry");
  });

  it("(b') deleting a middle entry and re-linking the rest still shows the gap", async () => {
    const copy = await tampered();
    await sql(copy.url, "DELETE FROM core_audit_log WHERE seq IN (4, 5)");
    await relinkFrom(copy.url, 6);
    expect(await runWithDb(copy.url, verifyAuditChain())).toMatchObject({
      ok: false,
      first_broken: {
        seq: 6,
        reason: "missing_entries",
        detail: "seq 4–5 missing before this entry",
      },
    });
  });

  it("(c) a consistently re-hashed entry breaks the link of its successor", async () => {
    const copy = await tampered();
    await editNewState(copy.url, 5, true);
    const report = await runWithDb(copy.url, verifyAuditChain());
    expect(report).toMatchObject({
      ok: false,
      first_broken: {
        seq: 6,
        audit_id: (await rowAt(copy.url, 6)).audit_id,
        reason: "broken_link",
      },
    });
    expect(report.first_broken?.detail).toMatch(/is not the entry_hash of seq 5/);
  });

  it("a deleted first entry is missing entries at the new first one", async () => {
    const copy = await tampered();
    await sql(copy.url, "DELETE FROM core_audit_log WHERE seq = 1");
    expect(await runWithDb(copy.url, verifyAuditChain())).toMatchObject({
      ok: false,
      first_broken: { seq: 2, reason: "missing_entries" },
    });
  });

  it("entries cut from the end are reported as truncation", async () => {
    const copy = await tampered();
    await sql(copy.url, `DELETE FROM core_audit_log WHERE seq >= ${ENTRIES - 1}`);
    expect(await runWithDb(copy.url, verifyAuditChain())).toMatchObject({
      ok: false,
      entries: ENTRIES - 2,
      head: { seq: ENTRIES - 2 },
      first_broken: { seq: ENTRIES, audit_id: null, reason: "truncated" },
    });
  });

  it("an entry inserted without the chain columns is a hash mismatch", async () => {
    const copy = await tampered();
    await sql(
      copy.url,
      `INSERT INTO core_audit_log (audit_id, occurred_at, event_type, entity_type, entity_id, domain)
       VALUES ('aud_forged', '2025-01-03T00:00:00Z', 'written', 'table', 'market_prices', 'market_data')`,
    );
    expect(await runWithDb(copy.url, verifyAuditChain())).toMatchObject({
      ok: false,
      entries: ENTRIES + 1,
      first_broken: { seq: ENTRIES + 1, audit_id: "aud_forged", reason: "hash_mismatch" },
    });
  });
});
