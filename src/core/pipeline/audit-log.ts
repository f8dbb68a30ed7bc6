/**
 * The `AuditLog` service: where the runner, sources and domains append audit events. Core
 * names only the operation; the hash-chained libSQL log (`src/audit/`) provides it at each
 * composition root.
 */
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import type { DatabaseError } from "../../db/errors";
import type { AuditEvent, RunAuditEvent } from "../model/audit-event";

export interface AuditLogShape {
  /** Appends events in order, all stamped `occurredAt`. */
  readonly append: (
    events: ReadonlyArray<AuditEvent>,
    occurredAt: string,
  ) => Effect.Effect<void, DatabaseError>;
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
