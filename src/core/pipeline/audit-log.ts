/**
 * The `AuditLog` service: where the runner, sources and domains append audit events. Core
 * names only the operation; the hash-chained libSQL log (`src/audit/`) provides it at each
 * composition root.
 */
import type { InStatement, ResultSet } from "@libsql/client";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import type { DatabaseError } from "../../db/errors";
import type { AuditEvent, RunAuditEvent } from "../model/audit-event";

/** Events stamped with one time. */
export interface AuditBatch {
  readonly events: ReadonlyArray<AuditEvent>;
  readonly occurredAt: string;
}

/** What `writeWith` did: the statements' results, and whether the events were appended. */
export interface AuditWrite {
  readonly results: ReadonlyArray<ResultSet>;
  /** False: none of the events was written (the log moved on meanwhile); append them later. */
  readonly appended: boolean;
}

export interface AuditLogShape {
  /** Appends events in order, all stamped `occurredAt`. */
  readonly append: (
    events: ReadonlyArray<AuditEvent>,
    occurredAt: string,
  ) => Effect.Effect<void, DatabaseError>;
  /** Appends batches of events in order, as one linked run of entries. */
  readonly appendAll: (batches: ReadonlyArray<AuditBatch>) => Effect.Effect<void, DatabaseError>;
  /**
   * Runs `statements` (idempotent upserts) in one request and one write transaction, with the
   * events appended in that transaction when the log allows it without another round trip.
   */
  readonly writeWith: (
    operation: string,
    statements: ReadonlyArray<InStatement>,
    batches: ReadonlyArray<AuditBatch>,
  ) => Effect.Effect<AuditWrite, DatabaseError>;
}

/** The append-only audit log. */
export class AuditLog extends Context.Tag("dataspine/AuditLog")<AuditLog, AuditLogShape>() {}

/** Appends events through the `AuditLog` service. */
export const appendAuditEvents = (events: ReadonlyArray<AuditEvent>, occurredAt: string) =>
  Effect.flatMap(AuditLog, (log) => log.append(events, occurredAt));

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
    appendAuditEvents(
      events.map((e) => ({
        ...e,
        domain: run.domain,
        partitionKey: run.partitionKey,
        captureId: run.captureId,
        executionId: run.executionId,
      })),
      run.capturedAt,
    );
