/**
 * The shared relational schema (sqlite-core), served by libSQL (embedded file or server).
 *
 * Decimal columns are TEXT holding canonical exact decimals (see `core/model/decimal.ts`);
 * timestamps are ISO-8601 UTC text; JSON columns hold UTF-8 JSON text.
 * Change it only together with a new drizzle-kit migration (`npm run db:generate`).
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export { coreAlertDeliveries } from "./alerts-schema";
// The Deno host's own tables (actors, alarms, coordinators), migrated with the rest.
export * from "./host-schema";
export { coreSeriesPoints } from "./series-points-schema";
export { coreOperations, corePartitionCounts } from "./status-schema";

/** Columns every pipeline output row carries (the capture-id contract). */
const captureColumns = {
  captureId: text("capture_id").notNull(),
  capturedAt: text("captured_at").notNull(),
  executionId: text("execution_id").notNull(),
  batchId: text("batch_id").notNull(),
};

/** Canonical daily OHLCV bars, one row per symbol, trading date and source. */
export const marketPrices = sqliteTable(
  "market_prices",
  {
    symbol: text("symbol").notNull(),
    tradingDate: text("trading_date").notNull(),
    source: text("source").notNull(),
    open: text("open").notNull(),
    high: text("high").notNull(),
    low: text("low").notNull(),
    close: text("close").notNull(),
    volume: integer("volume").notNull(),
    vwap: text("vwap"),
    tradeCount: integer("trade_count"),
    barStart: text("bar_start").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.symbol, t.tradingDate, t.source] }),
    index("market_prices_date_idx").on(t.tradingDate),
    index("market_prices_capture_idx").on(t.captureId),
  ],
);

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

/** Executions, one row per trade, unique per client (`trade_id` within `client_id`). */
export const trades = sqliteTable(
  "trades",
  {
    clientId: text("client_id").notNull(),
    tradeId: text("trade_id").notNull(),
    symbol: text("symbol").notNull(),
    side: text("side").notNull(),
    quantity: text("quantity").notNull(),
    price: text("price").notNull(),
    executedAt: text("executed_at").notNull(),
    venue: text("venue").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.clientId, t.tradeId] }),
    index("trades_symbol_time_idx").on(t.symbol, t.executedAt),
  ],
);

/** Point-in-time price observations (IEX-style quotes): the canonical `MarketData`. */
export const marketQuotes = sqliteTable(
  "market_quotes",
  {
    symbol: text("symbol").notNull(),
    quotedAt: text("quoted_at").notNull(),
    source: text("source").notNull(),
    price: text("price").notNull(),
    volume: integer("volume").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.symbol, t.quotedAt, t.source] })],
);

/** FINRA OTC transparency weekly volume per symbol and venue (MPID), as published. */
export const finraOtcVenueVolume = sqliteTable(
  "finra_otc_transparency_venue_volume",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    issueName: text("issue_name").notNull(),
    mpid: text("mpid").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    totalWeeklyTradeCount: integer("total_weekly_trade_count").notNull(),
    lastUpdateDate: text("last_update_date").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.weekEnding, t.tier, t.symbol, t.mpid] }),
    index("finra_otc_venue_volume_symbol_idx").on(t.symbol, t.weekEnding),
  ],
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

// ── FINRA OTC transparency pipelines and workflows (issue 6) ────────────────────────────

/** FINRA weekly files as received (ingest_week): one row per data line, fields untouched. */
export const finraOtcRaw = sqliteTable(
  "finra_otc_transparency_raw",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    /** Line number in the file (header = 1). */
    recordIndex: integer("record_index").notNull(),
    tierDescription: text("tier_description"),
    issueSymbolIdentifier: text("issue_symbol_identifier"),
    issueName: text("issue_name"),
    marketParticipantName: text("market_participant_name"),
    mpid: text("mpid"),
    totalWeeklyShareQuantity: text("total_weekly_share_quantity"),
    totalWeeklyTradeCount: text("total_weekly_trade_count"),
    lastUpdateDate: text("last_update_date"),
    rawRecord: text("raw_record").notNull(),
    source: text("source").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.recordIndex] })],
);

/** Per-symbol weekly totals of one tier (aggregate_week). */
export const finraOtcSymbolSummary = sqliteTable(
  "finra_otc_transparency_symbol_summary",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    issueName: text("issue_name").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    totalWeeklyTradeCount: integer("total_weekly_trade_count").notNull(),
    venueCount: integer("venue_count").notNull(),
    /** Shares per trade, exact decimal (4 places, half up); "0" without trades. */
    avgTradeSize: text("avg_trade_size").notNull(),
    ...captureColumns,
  },
  (t) => [
    primaryKey({ columns: [t.weekEnding, t.tier, t.symbol] }),
    index("finra_otc_symbol_summary_tier_idx").on(t.tier, t.weekEnding),
  ],
);

/** Each venue's share of a symbol's weekly volume (aggregate_week). */
export const finraOtcVenueShare = sqliteTable(
  "finra_otc_transparency_venue_share",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    mpid: text("mpid").notNull(),
    totalWeeklyShareQuantity: integer("total_weekly_share_quantity").notNull(),
    /** Venue quantity ÷ symbol quantity, exact decimal (6 places, half up). */
    marketShare: text("market_share").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.symbol, t.mpid] })],
);

/** Six-week rolling averages per symbol, for the window ending at `week_ending`. */
export const finraOtcRolling6w = sqliteTable(
  "finra_otc_transparency_symbol_rolling_6w",
  {
    weekEnding: text("week_ending").notNull(),
    tier: text("tier").notNull(),
    symbol: text("symbol").notNull(),
    windowStart: text("window_start").notNull(),
    weeksInWindow: integer("weeks_in_window").notNull(),
    /** Exact decimals (2 places, half up). */
    avgWeeklyShareQuantity: text("avg_weekly_share_quantity").notNull(),
    avgWeeklyTradeCount: text("avg_weekly_trade_count").notNull(),
    avgVenueCount: text("avg_venue_count").notNull(),
    ...captureColumns,
  },
  (t) => [primaryKey({ columns: [t.weekEnding, t.tier, t.symbol] })],
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
