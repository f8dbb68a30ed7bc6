/**
 * The tamper-evident hash chain of `core_audit_log`.
 *
 * Every entry stores `prev_hash` (the `entry_hash` of the entry before it by `seq`, `""` for
 * the first) and `entry_hash = sha256_hex(utf8(canonical))`, where `canonical` is the JSON
 * array text (ECMAScript `JSON.stringify`, no whitespace) of exactly these 14 elements in
 * this order, each a JSON string or `null` (SQL NULL):
 *
 * ```
 * ["dataspine.audit.v1", prev_hash, audit_id, occurred_at, event_type, entity_type,
 *  entity_id, domain, partition_key, capture_id, execution_id, old_state, new_state, metadata]
 * ```
 *
 * The values are the column texts exactly as stored (`old_state`, `new_state` and `metadata`
 * are hashed as their stored JSON text, never re-serialized), so anyone can recompute a hash
 * from a plain `SELECT` in any language. The leading version tag keeps a future format from
 * colliding with this one. `seq` is not hashed: order is carried by the `prev_hash` links.
 */
import * as Effect from "effect/Effect";
import { sha256Hex } from "../core/model/digest";

/** First element of every canonical form; bump it if the format ever changes. */
export const AUDIT_HASH_VERSION = "dataspine.audit.v1";

/** The hashed columns of one entry, as stored (JSON columns as their text). */
export interface AuditContent {
  readonly audit_id: string;
  readonly occurred_at: string;
  readonly event_type: string;
  readonly entity_type: string;
  readonly entity_id: string;
  readonly domain: string;
  readonly partition_key: string | null;
  readonly capture_id: string | null;
  readonly execution_id: string | null;
  readonly old_state: string | null;
  readonly new_state: string | null;
  readonly metadata: string | null;
}

/** One stored entry: its content, its position and its chain columns. */
export interface AuditRow extends AuditContent {
  readonly seq: number;
  /** `null` only for rows written before the chain existed. */
  readonly prev_hash: string | null;
  readonly entry_hash: string | null;
}

/** The canonical serialization hashed into `entry_hash` (see the module comment). */
export const canonicalAuditForm = (prevHash: string, c: AuditContent): string =>
  JSON.stringify([
    AUDIT_HASH_VERSION,
    prevHash,
    c.audit_id,
    c.occurred_at,
    c.event_type,
    c.entity_type,
    c.entity_id,
    c.domain,
    c.partition_key,
    c.capture_id,
    c.execution_id,
    c.old_state,
    c.new_state,
    c.metadata,
  ]);

/** `entry_hash` of an entry linked to `prevHash`: SHA-256 hex of its canonical form. */
export const auditEntryHash = (prevHash: string, content: AuditContent): Effect.Effect<string> =>
  sha256Hex(canonicalAuditForm(prevHash, content));

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const hexDigest = async (text: string): Promise<string> =>
  Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

/**
 * The recomputed `entry_hash` of each stored row (over its own `prev_hash`, NULL as `""`).
 * The rows are independent, so they hash in parallel under one effect: per-entry effects
 * cost more than the digests themselves on a page of hundreds.
 */
export const rowHashes = (rows: ReadonlyArray<AuditRow>): Effect.Effect<ReadonlyArray<string>> =>
  Effect.promise(() =>
    Promise.all(rows.map((row) => hexDigest(canonicalAuditForm(row.prev_hash ?? "", row)))),
  );

/** Content plus chain columns, ready to insert. */
export interface ChainedContent extends AuditContent {
  readonly prev_hash: string;
  readonly entry_hash: string;
}

/** Links `contents` in order after an entry whose hash is `tailHash` (`""` for none). */
export const chainContents = (
  tailHash: string,
  contents: ReadonlyArray<AuditContent>,
): Effect.Effect<ReadonlyArray<ChainedContent>> =>
  Effect.gen(function* () {
    const out: Array<ChainedContent> = [];
    let prev = tailHash;
    for (const content of contents) {
      const entryHash = yield* auditEntryHash(prev, content);
      out.push({ ...content, prev_hash: prev, entry_hash: entryHash });
      prev = entryHash;
    }
    return out;
  });

/**
 * The text as the database will store it. A lone UTF-16 surrogate cannot be stored as
 * UTF-8 (the drivers write U+FFFD), so hashing the JS string as-is would make a stored
 * entry fail verification; the round trip applies the same replacement first.
 */
export const storableText = (text: string): string => decoder.decode(encoder.encode(text));
