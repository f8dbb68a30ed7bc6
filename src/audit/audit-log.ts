/**
 * The audit trail: one entry per pipeline event (`ingested`, `validated`,
 * `validation_failed`, `written`, `run_failed`, …) with old and new state and metadata.
 */
import { Effect } from "effect";
import { dbTry } from "../db/db";
import { coreAuditLog } from "../db/schema";

/** Event types written by the framework. */
export type AuditEventType =
  | "run_started"
  | "ingested"
  | "normalized"
  | "validated"
  | "validation_failed"
  | "written"
  | "no_data_expected"
  | "run_completed"
  | "run_failed"
  | "dead_lettered";

export interface AuditEvent {
  readonly eventType: AuditEventType;
  readonly entityType: string;
  readonly entityId: string;
  readonly domain: string;
  readonly partitionKey?: string;
  readonly captureId?: string;
  readonly executionId?: string;
  readonly oldState?: unknown;
  readonly newState?: unknown;
  readonly metadata?: unknown;
}

const json = (value: unknown): string | null =>
  value === undefined ? null : JSON.stringify(value);

/** Appends events in order, in one statement, all stamped `occurredAt`. */
export const appendAudit = (events: ReadonlyArray<AuditEvent>, occurredAt: string) =>
  events.length === 0
    ? Effect.void
    : dbTry("audit.append", (db) =>
        db.insert(coreAuditLog).values(
          events.map((e) => ({
            auditId: `aud_${crypto.randomUUID()}`,
            occurredAt,
            eventType: e.eventType,
            entityType: e.entityType,
            entityId: e.entityId,
            domain: e.domain,
            partitionKey: e.partitionKey ?? null,
            captureId: e.captureId ?? null,
            executionId: e.executionId ?? null,
            oldState: json(e.oldState),
            newState: json(e.newState),
            metadata: json(e.metadata),
          })),
        ),
      ).pipe(Effect.asVoid);

/** An event of one run: the run's identity fields are filled in by `auditRun`. */
export type RunAuditEvent = Omit<
  AuditEvent,
  "domain" | "partitionKey" | "captureId" | "executionId"
>;

/** Audit writer bound to one run's domain, partition, capture and execution. */
export const auditRun =
  (run: {
    readonly domain: string;
    readonly partitionKey: string;
    readonly captureId: string;
    readonly executionId: string;
    readonly capturedAt: string;
  }) =>
  (events: ReadonlyArray<RunAuditEvent>) =>
    appendAudit(
      events.map((e) => ({
        ...e,
        domain: run.domain,
        partitionKey: run.partitionKey,
        captureId: run.captureId,
        executionId: run.executionId,
      })),
      run.capturedAt,
    );
