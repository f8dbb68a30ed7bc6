/**
 * The audit trail: one entry per pipeline event (`ingested`, `validated`,
 * `validation_failed`, `written`, `run_failed`, …) with old and new state and metadata.
 *
 * The log is append-only in the database (triggers refuse UPDATE and DELETE) and
 * tamper-evident: every entry is hash-linked to the one before it (`hash-chain.ts`), appends
 * stay linear under concurrent writers (`append.ts`) and `verifyAuditChain`
 * (`verify.ts`) checks the whole chain.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { AuditEvent } from "../core/model/audit-event";
import { type AuditBatch, AuditLog } from "../core/pipeline/audit-log";
import { Db } from "../db/db";
import type { DatabaseError } from "../db/errors";
import { appendChained, writeWithChain } from "./append";
import { type AuditContent, storableText } from "./hash-chain";

// Audit must never lose an event over its payload: bigints become strings, and a value
// JSON cannot encode (a cycle) is recorded as such instead of failing the write.
const json = (value: unknown): string | null => {
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value, (_, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    ) as string | undefined;
    return text === undefined ? null : storableText(text);
  } catch (error) {
    return JSON.stringify({ unserializable: String(error) });
  }
};

const optionalText = (value: string | undefined): string | null =>
  value === undefined ? null : storableText(value);

/** The stored columns of one event. */
const toContent = (event: AuditEvent, occurredAt: string): AuditContent => ({
  audit_id: `aud_${crypto.randomUUID()}`,
  occurred_at: storableText(occurredAt),
  event_type: event.eventType,
  entity_type: storableText(event.entityType),
  entity_id: storableText(event.entityId),
  domain: storableText(event.domain),
  partition_key: optionalText(event.partitionKey),
  capture_id: optionalText(event.captureId),
  execution_id: optionalText(event.executionId),
  old_state: json(event.oldState),
  new_state: json(event.newState),
  metadata: json(event.metadata),
});

/**
 * Appends events in order, as consecutive hash-linked entries, all stamped `occurredAt`.
 * Concurrent appends from any number of writers stay one linear chain.
 */
export const appendAudit = (
  events: ReadonlyArray<AuditEvent>,
  occurredAt: string,
): Effect.Effect<void, DatabaseError, Db> =>
  Effect.suspend(() => appendChained(events.map((e) => toContent(e, occurredAt))));

/** The stored columns of batches of events, in order. */
const contentsOf = (batches: ReadonlyArray<AuditBatch>) =>
  batches.flatMap((b) => b.events.map((e) => toContent(e, b.occurredAt)));

/** The `AuditLog` service over the hash-chained `core_audit_log` of the layer's `Db`. */
export const AuditLogLive = Layer.effect(
  AuditLog,
  Effect.map(Db, (db) => ({
    append: (events, occurredAt) =>
      appendAudit(events, occurredAt).pipe(Effect.provideService(Db, db)),
    appendAll: (batches) =>
      Effect.suspend(() => appendChained(contentsOf(batches))).pipe(Effect.provideService(Db, db)),
    writeWith: (operation, statements, batches) =>
      Effect.suspend(() => writeWithChain(operation, statements, contentsOf(batches))).pipe(
        Effect.provideService(Db, db),
      ),
  })),
);
