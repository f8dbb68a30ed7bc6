/**
 * The audit log: canonical form and hashing, append-only triggers, and the chain a real
 * pipeline run leaves behind.
 */
import { createHash } from "node:crypto";
import { Effect } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIT_HASH_VERSION,
  type AuditContent,
  auditEntryHash,
  canonicalAuditForm,
} from "../../src/audit/hash-chain";
import { appendAudit } from "../../src/audit/log";
import { listAuditTail } from "../../src/audit/read";
import { verifyAuditChain } from "../../src/audit/verify";
import { appendEvents, makeMigratedDb, runWithDb, sql, testEvent } from "../fixtures/audit-db";
import { usePipelineDb } from "../fixtures/pipeline-db";
import type { TempDb } from "../fixtures/temp-db";

const CONTENT: AuditContent = {
  audit_id: "aud_1",
  occurred_at: "2025-01-02T21:00:00.000Z",
  event_type: "written",
  entity_type: "table",
  entity_id: "market_prices",
  domain: "market_data",
  partition_key: "2025-01-02|demo",
  capture_id: null,
  execution_id: "exec_1",
  old_state: null,
  new_state: '{"written":20}',
  metadata: null,
};

describe("canonical form", () => {
  it("is a fixed-order JSON array of the version, prev_hash and the content columns", () => {
    expect(canonicalAuditForm("ab12", CONTENT)).toBe(
      `["${AUDIT_HASH_VERSION}","ab12","aud_1","2025-01-02T21:00:00.000Z","written","table",` +
        `"market_prices","market_data","2025-01-02|demo",null,"exec_1",null,"{\\"written\\":20}",null]`,
    );
  });

  it("entry_hash is SHA-256 hex of the UTF-8 canonical form, and depends on prev_hash", async () => {
    const hash = await Effect.runPromise(auditEntryHash("", CONTENT));
    const expected = createHash("sha256").update(canonicalAuditForm("", CONTENT)).digest("hex");
    expect(hash).toBe(expected);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await Effect.runPromise(auditEntryHash("x", CONTENT))).not.toBe(hash);
    // null and "" are different values, so they hash differently
    const empty = await Effect.runPromise(auditEntryHash("", { ...CONTENT, capture_id: "" }));
    expect(empty).not.toBe(hash);
  });
});

describe("core_audit_log", () => {
  let db: TempDb;
  beforeAll(async () => {
    db = await makeMigratedDb();
    await appendEvents(db.url, 3);
  });
  afterAll(() => db.cleanup());

  it("an empty log verifies with no entries", async () => {
    const empty = await makeMigratedDb();
    try {
      expect(await runWithDb(empty.url, verifyAuditChain())).toEqual({ ok: true, entries: 0 });
    } finally {
      await empty.cleanup();
    }
  });

  it("refuses UPDATE", async () => {
    await expect(
      sql(db.url, "UPDATE core_audit_log SET new_state = '{}' WHERE seq = 2"),
    ).rejects.toThrow("core_audit_log is append-only: UPDATE refused");
  });

  it("refuses DELETE, of one entry or all", async () => {
    await expect(sql(db.url, "DELETE FROM core_audit_log WHERE seq = 2")).rejects.toThrow(
      "core_audit_log is append-only: DELETE refused",
    );
    await expect(sql(db.url, "DELETE FROM core_audit_log")).rejects.toThrow(
      "core_audit_log is append-only: DELETE refused",
    );
    expect(await sql(db.url, "SELECT count(*) AS n FROM core_audit_log")).toEqual([
      expect.objectContaining({ n: 3 }),
    ]);
  });

  it("links each entry to the one before it, the first to an empty prev_hash", async () => {
    const rows = await runWithDb(db.url, listAuditTail(10));
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rows[0]?.prev_hash).toBe("");
    expect(rows[1]?.prev_hash).toBe(rows[0]?.entry_hash);
    expect(rows[2]?.prev_hash).toBe(rows[1]?.entry_hash);
    expect(await runWithDb(db.url, verifyAuditChain())).toEqual({
      ok: true,
      entries: 3,
      head: { seq: 3, entry_hash: rows[2]?.entry_hash },
    });
  });

  it("a batch is appended in order; payloads that JSON or UTF-8 cannot hold still verify", async () => {
    const lone = "\ud800"; // a lone surrogate: stored as U+FFFD
    await runWithDb(
      db.url,
      appendAudit(
        [
          testEvent(10, { entityId: `odd${lone}id`, newState: { big: 10n } }),
          testEvent(11, { metadata: { text: `x${lone}` } }),
          testEvent(12, { newState: undefined, metadata: undefined }),
        ],
        "2025-01-02T21:01:00.000Z",
      ),
    );
    const rows = await runWithDb(db.url, listAuditTail(3));
    expect(rows.map((r) => r.execution_id)).toEqual(["exec_10", "exec_11", "exec_12"]);
    expect(rows[0]?.entity_id).toBe("odd\ufffdid");
    expect(rows[0]?.new_state).toBe('{"big":"10"}');
    expect(rows[2]?.new_state).toBeNull();
    expect(await runWithDb(db.url, verifyAuditChain())).toMatchObject({ ok: true, entries: 6 });
  });

  it("tail filters by capture and event type, oldest first", async () => {
    const rows = await runWithDb(
      db.url,
      listAuditTail(5, {
        captureId: "market_data.INGEST.2025-01-02|demo.2",
        eventType: "ingested",
      }),
    );
    expect(rows.map((r) => r.execution_id)).toEqual(["exec_2"]);
  });
});

describe("a pipeline run", () => {
  const setup = usePipelineDb();
  const run = (partition: string) => setup.runOk("market_data.ingest_prices", partition);

  it("leaves a verifiable chain with one entry per event, in order", async () => {
    const trading = await run("2025-01-02|demo");
    const weekend = await run("2025-01-04|demo");
    expect(trading.status).toBe("complete");
    expect(weekend.status).toBe("no_data_expected");

    const rows = await runWithDb(setup.db.url, listAuditTail(100));
    expect(rows.map((r) => [r.seq, r.event_type, r.capture_id])).toEqual([
      [1, "run_started", trading.capture_id],
      [2, "ingested", trading.capture_id],
      [3, "normalized", trading.capture_id],
      [4, "validated", trading.capture_id],
      [5, "written", trading.capture_id],
      [6, "run_completed", trading.capture_id],
      [7, "run_started", weekend.capture_id],
      [8, "no_data_expected", weekend.capture_id],
      [9, "no_data_expected", weekend.capture_id],
    ]);
    expect(JSON.parse(rows[5]?.old_state ?? "null")).toEqual({ status: "running" });
    expect(JSON.parse(rows[5]?.new_state ?? "null")).toMatchObject({ status: "complete" });
    for (const [i, row] of rows.entries()) {
      expect(row.prev_hash).toBe(i === 0 ? "" : rows[i - 1]?.entry_hash);
    }

    const report = await runWithDb(setup.db.url, verifyAuditChain());
    expect(report).toEqual({
      ok: true,
      entries: 9,
      head: { seq: 9, entry_hash: rows[8]?.entry_hash },
    });
    // Page boundaries do not change the outcome.
    for (const pageSize of [1, 2, 4, 9, 10]) {
      expect(await runWithDb(setup.db.url, verifyAuditChain({ pageSize }))).toEqual(report);
    }
  });
});
