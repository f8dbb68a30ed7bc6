/**
 * Verifies the audit hash chain end to end, streaming through `core_audit_log` in `seq`
 * order one keyset page at a time, so memory stays flat on any size of log.
 *
 * For each entry, in this order: its `entry_hash` must equal the hash recomputed from its
 * stored content and `prev_hash` (else `hash_mismatch`: the entry was edited); its `seq`
 * must follow the previous entry's (else `missing_entries`: entries were removed); its
 * `prev_hash` must equal the previous entry's `entry_hash`, `""` for the first (else
 * `broken_link`: a neighbour was replaced or re-hashed). Finally the last `seq` must reach
 * the highest `seq` SQLite ever issued (else `truncated`: entries were cut from the end).
 */
import * as Effect from "effect/Effect";
import type { Db } from "../db/db";
import type { DatabaseError } from "../db/errors";
import { type AuditRow, rowHashes } from "./hash-chain";
import { readAuditPage, readIssuedSeq } from "./read";

/** Why the chain is broken at an entry. */
export type AuditBreakReason = "hash_mismatch" | "missing_entries" | "broken_link" | "truncated";

/** The first place the chain does not hold. */
export interface AuditChainBreak {
  /** The entry where the break shows (for `truncated`: the last `seq` issued). */
  readonly seq: number;
  /** `null` for `truncated`: that entry no longer exists. */
  readonly audit_id: string | null;
  readonly reason: AuditBreakReason;
  /** What exactly did not match, for the person reading it. */
  readonly detail: string;
}

/** The outcome of `verifyAuditChain`. */
export interface AuditChainReport {
  readonly ok: boolean;
  /** Entries read (all of them: the scan continues past a break to count). */
  readonly entries: number;
  /** The last entry: record its hash elsewhere to detect a rewrite of the whole chain. */
  readonly head?: { readonly seq: number; readonly entry_hash: string | null };
  readonly first_broken?: AuditChainBreak;
}

/** Entries per page read by `verifyAuditChain` unless told otherwise. */
export const VERIFY_PAGE_SIZE = 500;

const short = (hash: string | null) => (hash === null ? "NULL" : `"${hash.slice(0, 16)}…"`);

/** The first failed check of `row` after `prev`, given the hash recomputed from its content. */
const checkEntry = (
  row: AuditRow,
  prev: AuditRow | undefined,
  recomputed: string,
): AuditChainBreak | undefined => {
  const at = (reason: AuditBreakReason, detail: string): AuditChainBreak => ({
    seq: row.seq,
    audit_id: row.audit_id,
    reason,
    detail,
  });
  if (row.entry_hash !== recomputed) {
    return at(
      "hash_mismatch",
      `entry_hash ${short(row.entry_hash)} does not match its content (recomputed ${short(recomputed)})`,
    );
  }
  const expectedSeq = (prev?.seq ?? 0) + 1;
  if (row.seq !== expectedSeq) {
    const missing =
      row.seq - 1 === expectedSeq ? `${expectedSeq}` : `${expectedSeq}–${row.seq - 1}`;
    return at("missing_entries", `seq ${missing} missing before this entry`);
  }
  const expectedPrev = prev?.entry_hash ?? "";
  if (row.prev_hash !== expectedPrev) {
    return at(
      "broken_link",
      `prev_hash ${short(row.prev_hash)} is not the entry_hash of seq ${prev?.seq ?? "(none)"} (${short(expectedPrev)})`,
    );
  }
  return undefined;
};

/**
 * Checks every entry of the audit log against its hash and its predecessor. Entries
 * appended while it runs are checked too if the scan reaches them. `pageSize` defaults to
 * `VERIFY_PAGE_SIZE`.
 */
export const verifyAuditChain = (
  options: { readonly pageSize?: number } = {},
): Effect.Effect<AuditChainReport, DatabaseError, Db> =>
  Effect.gen(function* () {
    const pageSize = Math.max(1, Math.floor(options.pageSize ?? VERIFY_PAGE_SIZE));
    // Read before the scan: every seq issued so far must still be there when it ends.
    const issuedSeq = yield* readIssuedSeq;
    let entries = 0;
    let prev: AuditRow | undefined;
    let firstBroken: AuditChainBreak | undefined;
    for (;;) {
      const page = yield* readAuditPage(prev?.seq ?? 0, pageSize);
      // Each entry's hash covers only itself and its stored prev_hash, so a page hashes in
      // parallel; the links are then checked in order.
      const hashes = firstBroken === undefined ? yield* rowHashes(page) : [];
      for (const [i, row] of page.entries()) {
        entries++;
        if (firstBroken === undefined) firstBroken = checkEntry(row, prev, hashes[i] ?? "");
        prev = row;
      }
      if (page.length < pageSize) break;
    }
    if (firstBroken === undefined && (prev?.seq ?? 0) < issuedSeq) {
      firstBroken = {
        seq: issuedSeq,
        audit_id: null,
        reason: "truncated",
        detail: `the log ends at seq ${prev?.seq ?? 0} but seq ${issuedSeq} was issued`,
      };
    }
    return {
      ok: firstBroken === undefined,
      entries,
      ...(prev ? { head: { seq: prev.seq, entry_hash: prev.entry_hash } } : {}),
      ...(firstBroken ? { first_broken: firstBroken } : {}),
    };
  }).pipe(Effect.withSpan("Audit.verifyChain"));
