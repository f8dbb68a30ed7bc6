/**
 * The result of one pipeline run, as returned by the CLI, `POST /runs` and the actors.
 */
import * as Schema from "effect/Schema";
import { GateFigures } from "./quality";

/**
 * Lifecycle of a partition run. `skipped`: a gate of the pipeline (e.g. a history window)
 * decided not to compute; the stage is not ready.
 */
export const RunStatus = Schema.Literal(
  "pending",
  "running",
  "complete",
  "retrying",
  "failed",
  "no_data_expected",
  "skipped",
);
export type RunStatus = typeof RunStatus.Type;

/** Record counts of one run: received = valid + quarantined; written ≤ valid. */
export const RunCounts = Schema.Struct({
  received: Schema.Number,
  valid: Schema.Number,
  quarantined: Schema.Number,
  written: Schema.Number,
});
export type RunCounts = typeof RunCounts.Type;

export const emptyCounts: RunCounts = { received: 0, valid: 0, quarantined: 0, written: 0 };

/** Why a run failed, in a form that survives JSON and RPC. */
export const RunError = Schema.Struct({
  tag: Schema.String,
  message: Schema.String,
  retryable: Schema.Boolean,
  /** The quality gate's figures, when `tag` is `QualityGateFailed`. */
  gate: Schema.optional(GateFigures),
});
export type RunError = typeof RunError.Type;

/** What the trigger of a run was. */
export const RunTrigger = Schema.Literal("http", "cron", "cli", "alarm", "backfill", "retry");
export type RunTrigger = typeof RunTrigger.Type;

export const RunResult = Schema.Struct({
  status: RunStatus,
  pipeline: Schema.String,
  partition: Schema.String,
  execution_id: Schema.String,
  capture_id: Schema.String,
  batch_id: Schema.String,
  counts: RunCounts,
  attempts: Schema.Number,
  started_at: Schema.String,
  finished_at: Schema.String,
  error: Schema.optional(RunError),
  /** Set when the failure was kept in `core_dead_letters` for a later retry. */
  dead_letter_id: Schema.optional(Schema.String),
});
export type RunResult = typeof RunResult.Type;
