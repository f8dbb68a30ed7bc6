/**
 * The framework's `core_*` tables (seed 000 and the runner's own): manifest, anomalies,
 * readiness, expected schedules, the calculation DAG, audit log, quarantine, dead letters and
 * workflow runs.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Capture lineage: one row per capture of a partition (seed 000). */
export const coreManifest = sqliteTable(
  "core_manifest",
  {
    captureId: text("capture_id").primaryKey(),
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    partitionKey: text("partition_key").notNull(),
    capturedAt: text("captured_at").notNull(),
    status: text("status").notNull(),
    rowCount: integer("row_count"),
    metadata: text("metadata"),
    executionId: text("execution_id"),
    batchId: text("batch_id"),
  },
  (t) => [
    // Latest capture of a partition, and the status page's grid (latest capture per partition
    // in a key range) read from the index alone.
    index("core_manifest_grid_idx").on(
      t.domain,
      t.stage,
      t.partitionKey,
      t.capturedAt,
      t.captureId,
      t.status,
    ),
  ],
);

/** Errors, warnings and quality issues (seed 000). */
export const coreAnomalies = sqliteTable(
  "core_anomalies",
  {
    anomalyId: text("anomaly_id").primaryKey(),
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    partitionKey: text("partition_key").notNull(),
    severity: text("severity").notNull(),
    /** The seed's category: QUALITY_GATE, NETWORK, DATA_QUALITY or VALIDATION. */
    category: text("category").notNull(),
    message: text("message").notNull(),
    detectedAt: text("detected_at").notNull(),
    metadata: text("metadata"),
    resolvedAt: text("resolved_at"),
    // Issue 4 (detectors): the pipeline and capture that last saw the anomaly, and the data
    // time it concerns.
    pipeline: text("pipeline"),
    captureId: text("capture_id"),
    observedAt: text("observed_at"),
    /** What found it (VOLUME_SHIFT, QUALITY_GATE, DEAD_LETTER, …); the id hashes it. */
    rule: text("rule").notNull().default(""),
  },
  (t) => [
    index("core_anomalies_partition_idx").on(t.domain, t.partitionKey),
    index("core_anomalies_detected_idx").on(t.detectedAt),
  ],
);

/** Data availability per partition for scheduling and quality gates (seed 000). */
export const coreDataReadiness = sqliteTable(
  "core_data_readiness",
  {
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    partitionKey: text("partition_key").notNull(),
    weekEnding: text("week_ending").notNull(),
    isReady: integer("is_ready").notNull(),
    checkedAt: text("checked_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.domain, t.stage, t.partitionKey, t.weekEnding] })],
);

/** When data should arrive (seed 000): day of week 0 = Monday … 6 = Sunday. */
export const coreExpectedSchedules = sqliteTable(
  "core_expected_schedules",
  {
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    expectedDayOfWeek: integer("expected_day_of_week"),
    expectedTime: text("expected_time"),
    toleranceHours: integer("tolerance_hours"),
  },
  (t) => [primaryKey({ columns: [t.domain, t.stage] })],
);

/** The calculation DAG (seed 000). */
export const coreCalcDependencies = sqliteTable(
  "core_calc_dependencies",
  {
    calcId: text("calc_id").notNull(),
    dependsOnCalcId: text("depends_on_calc_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.calcId, t.dependsOnCalcId] })],
);

/** Audit trail: one entry per pipeline event, ordered by `seq`. */
export const coreAuditLog = sqliteTable(
  "core_audit_log",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    auditId: text("audit_id").notNull().unique(),
    occurredAt: text("occurred_at").notNull(),
    eventType: text("event_type").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id").notNull(),
    domain: text("domain").notNull(),
    partitionKey: text("partition_key"),
    captureId: text("capture_id"),
    executionId: text("execution_id"),
    oldState: text("old_state"),
    newState: text("new_state"),
    metadata: text("metadata"),
    /** `entry_hash` of the previous entry (by `seq`); empty string for the first entry. */
    prevHash: text("prev_hash"),
    /** SHA-256 over `prev_hash` and this entry's canonical content: the tamper-evident chain. */
    entryHash: text("entry_hash"),
  },
  (t) => [index("core_audit_log_capture_idx").on(t.captureId)],
);

/** Records that failed their contracts, kept whole with every violated contract. */
export const coreQuarantine = sqliteTable(
  "core_quarantine",
  {
    quarantineId: text("quarantine_id").primaryKey(),
    domain: text("domain").notNull(),
    stage: text("stage").notNull(),
    partitionKey: text("partition_key").notNull(),
    source: text("source").notNull(),
    recordIndex: integer("record_index").notNull(),
    rawRecord: text("raw_record").notNull(),
    reasons: text("reasons").notNull(),
    captureId: text("capture_id").notNull(),
    executionId: text("execution_id").notNull(),
    quarantinedAt: text("quarantined_at").notNull(),
  },
  (t) => [index("core_quarantine_partition_idx").on(t.domain, t.partitionKey)],
);

/** Requests that failed permanently (or ran out of retries), kept whole for a later retry. */
export const coreDeadLetters = sqliteTable(
  "core_dead_letters",
  {
    deadLetterId: text("dead_letter_id").primaryKey(),
    pipeline: text("pipeline").notNull(),
    partitionKey: text("partition_key").notNull(),
    source: text("source").notNull(),
    /** JSON: `{ "method", "url" }` with secrets redacted. */
    request: text("request").notNull(),
    errorTag: text("error_tag").notNull(),
    errorMessage: text("error_message").notNull(),
    attempts: integer("attempts").notNull(),
    payload: text("payload"),
    /** `open`, `retried` (a retry succeeded) or `retry_failed`. */
    status: text("status").notNull(),
    captureId: text("capture_id"),
    executionId: text("execution_id"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    retryExecutionId: text("retry_execution_id"),
  },
  (t) => [index("core_dead_letters_status_idx").on(t.status, t.createdAt)],
);

/** Workflow runs: per-step status, timing, outputs and errors. */
export const coreWorkflowRuns = sqliteTable(
  "core_workflow_runs",
  {
    runId: text("run_id").primaryKey(),
    workflow: text("workflow").notNull(),
    domain: text("domain").notNull(),
    partitionKey: text("partition_key").notNull(),
    params: text("params").notNull(),
    trigger: text("trigger").notNull(),
    batchId: text("batch_id").notNull(),
    status: text("status").notNull(),
    /** The last manifest stage reached (`STARTED` … `COMPLETED`). */
    stage: text("stage").notNull(),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
    durationMs: integer("duration_ms"),
    /** JSON array of step results. */
    steps: text("steps").notNull(),
    error: text("error"),
  },
  (t) => [index("core_workflow_runs_partition_idx").on(t.workflow, t.partitionKey, t.startedAt)],
);
