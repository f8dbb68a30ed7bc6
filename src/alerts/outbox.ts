/**
 * The alert outbox, `core_alert_deliveries`: one row per (anomaly, sink). Whatever wrote an
 * anomaly (a detector, an invariant, a quality gate, reconciliation), a sweep queues it for
 * every sink whose minimum severity it meets, once: a re-detected anomaly that is still open
 * keeps its row and is not sent again. A resolved anomaly that re-opens is queued again as
 * its next `episode`, provided a sweep saw it resolved (sweeps follow every run).
 * Deliveries are claimed with a lease (`next_attempt_at` moves forward as they are taken),
 * so two dispatchers never send the same row.
 */
import type { InStatement } from "@libsql/client";
import * as Effect from "effect/Effect";
import type { AnomalySeverity } from "../core/model/anomaly-vocabulary";
import { dbTry } from "../db/db";
import { severitiesAtLeast } from "./severity";

export type DeliveryStatus = "pending" | "retrying" | "delivered" | "failed";
export const DELIVERY_STATUSES: ReadonlyArray<DeliveryStatus> = [
  "pending",
  "retrying",
  "delivered",
  "failed",
];

/** What the outbox needs of a sink. */
export interface SinkThreshold {
  readonly name: string;
  readonly minSeverity: AnomalySeverity;
}

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** SQL `severity IN (…)` for a sink's threshold, with its arguments. */
const atLeast = (min: AnomalySeverity) => {
  const names = severitiesAtLeast(min);
  return { sql: `severity IN (${placeholders(names.length)})`, args: [...names] };
};

/**
 * Queues every open anomaly each sink should get and has no row for, marks rows whose
 * anomaly is now resolved, and re-queues those whose anomaly re-opened. One write batch.
 * Returns how many deliveries were queued.
 */
export const enqueueDeliveries = (sinks: ReadonlyArray<SinkThreshold>, now: string) => {
  const statements: Array<InStatement> = [
    {
      sql: `UPDATE core_alert_deliveries SET resolved_seen_at = (
              SELECT a.resolved_at FROM core_anomalies a
              WHERE a.anomaly_id = core_alert_deliveries.anomaly_id), updated_at = ?
            WHERE resolved_seen_at IS NULL AND EXISTS (
              SELECT 1 FROM core_anomalies a
              WHERE a.anomaly_id = core_alert_deliveries.anomaly_id AND a.resolved_at IS NOT NULL)`,
      args: [now],
    },
  ];
  for (const sink of sinks) {
    const severity = atLeast(sink.minSeverity);
    statements.push(
      {
        sql: `UPDATE core_alert_deliveries
              SET episode = episode + 1, status = 'pending', attempts = 0, next_attempt_at = ?,
                  last_error = NULL, delivered_at = NULL, resolved_seen_at = NULL, updated_at = ?
              WHERE sink = ? AND resolved_seen_at IS NOT NULL AND anomaly_id IN (
                SELECT anomaly_id FROM core_anomalies WHERE resolved_at IS NULL AND ${severity.sql})`,
        args: [now, now, sink.name, ...severity.args],
      },
      {
        sql: `INSERT INTO core_alert_deliveries
                (anomaly_id, sink, episode, status, attempts, next_attempt_at, created_at, updated_at)
              SELECT anomaly_id, ?, 1, 'pending', 0, ?, ?, ? FROM core_anomalies
              WHERE resolved_at IS NULL AND ${severity.sql}
              ON CONFLICT (anomaly_id, sink) DO NOTHING`,
        args: [sink.name, now, now, now, ...severity.args],
      },
    );
  }
  return dbTry("alerts.enqueue", (_, client) => client.batch(statements, "write")).pipe(
    Effect.map((results) => results.slice(1).reduce((n, r) => n + r.rowsAffected, 0)),
  );
};

/** A delivery taken for one attempt. */
export interface ClaimedDelivery {
  readonly anomalyId: string;
  readonly sink: string;
  readonly episode: number;
  /** Including this one. */
  readonly attempts: number;
}

/**
 * Takes up to `limit` deliveries of `sinks` that are due at `now`, oldest first: counts the
 * attempt and moves `next_attempt_at` to `leaseUntil`, so a crash mid-send retries after it.
 */
export const claimDueDeliveries = (
  sinks: ReadonlyArray<string>,
  now: string,
  leaseUntil: string,
  limit: number,
) =>
  sinks.length === 0
    ? Effect.succeed<ReadonlyArray<ClaimedDelivery>>([])
    : dbTry("alerts.claim", (_, client) =>
        client.execute({
          sql: `UPDATE core_alert_deliveries
                SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
                WHERE rowid IN (
                  SELECT rowid FROM core_alert_deliveries
                  WHERE sink IN (${placeholders(sinks.length)})
                    AND status IN ('pending', 'retrying') AND next_attempt_at <= ?
                  ORDER BY next_attempt_at, anomaly_id, sink LIMIT ?)
                RETURNING anomaly_id, sink, episode, attempts`,
          args: [leaseUntil, now, ...sinks, now, limit],
        }),
      ).pipe(
        Effect.map((rs) =>
          rs.rows.map(
            (r): ClaimedDelivery => ({
              anomalyId: String(r.anomaly_id),
              sink: String(r.sink),
              episode: Number(r.episode),
              attempts: Number(r.attempts),
            }),
          ),
        ),
      );

/** How one attempt ended: delivered, or failed with a retry time (none: given up). */
export type AttemptOutcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Failed"; readonly error: string; readonly retryAt: string | null };

/** Records an attempt's outcome, unless the anomaly re-opened meanwhile (a new episode). */
export const recordAttempt = (claimed: ClaimedDelivery, outcome: AttemptOutcome, now: string) =>
  dbTry("alerts.record", (_, client) =>
    client.execute(
      outcome._tag === "Delivered"
        ? {
            sql: `UPDATE core_alert_deliveries SET status = 'delivered', delivered_at = ?,
                    next_attempt_at = NULL, last_error = NULL, updated_at = ?
                  WHERE anomaly_id = ? AND sink = ? AND episode = ?`,
            args: [now, now, claimed.anomalyId, claimed.sink, claimed.episode],
          }
        : {
            sql: `UPDATE core_alert_deliveries SET status = ?, next_attempt_at = ?,
                    last_error = ?, updated_at = ?
                  WHERE anomaly_id = ? AND sink = ? AND episode = ?`,
            args: [
              outcome.retryAt === null ? "failed" : "retrying",
              outcome.retryAt,
              outcome.error,
              now,
              claimed.anomalyId,
              claimed.sink,
              claimed.episode,
            ],
          },
    ),
  );

/**
 * Gives a claimed delivery back untried (its sink just failed another delivery of this pass):
 * the attempt is not counted and it falls due again at `retryAt`.
 */
export const releaseClaim = (claimed: ClaimedDelivery, retryAt: string, now: string) =>
  dbTry("alerts.release", (_, client) =>
    client.execute({
      sql: `UPDATE core_alert_deliveries SET attempts = attempts - 1, next_attempt_at = ?,
              updated_at = ?
            WHERE anomaly_id = ? AND sink = ? AND episode = ?`,
      args: [retryAt, now, claimed.anomalyId, claimed.sink, claimed.episode],
    }),
  );

/** When the next delivery of `sinks` falls due (a lease's end included), if any. */
export const nextDueAt = (sinks: ReadonlyArray<string>) =>
  sinks.length === 0
    ? Effect.succeed<string | null>(null)
    : dbTry("alerts.nextDue", (_, client) =>
        client.execute({
          sql: `SELECT min(next_attempt_at) AS due FROM core_alert_deliveries
                WHERE sink IN (${placeholders(sinks.length)}) AND status IN ('pending', 'retrying')`,
          args: [...sinks],
        }),
      ).pipe(
        Effect.map((rs) => {
          const due = rs.rows[0]?.due;
          return typeof due === "string" ? due : null;
        }),
      );
