/**
 * What an audit entry says: the event types the framework and the domains write, and one
 * event with its old and new state and metadata. The `AuditLog` service stores them.
 */

/** Event types written by the framework and the domains. */
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
  | "run_skipped"
  | "run_interrupted"
  | "dead_lettered"
  | "dead_letter_retried"
  | "anomaly_detected"
  | "reconciled"
  | "replayed";

/** One event to record; `oldState`, `newState` and `metadata` are stored as JSON. */
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

/** An event of one run: the run's identity fields are filled in by `auditRun`. */
export type RunAuditEvent = Omit<
  AuditEvent,
  "domain" | "partitionKey" | "captureId" | "executionId"
>;
