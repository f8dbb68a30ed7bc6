/**
 * Reading the alert outbox for operators (`GET /alerts`): each delivery with its anomaly's
 * rule, severity, partition and alert line, most recently changed first.
 */
import * as Effect from "effect/Effect";
import { anomaliesById } from "../core/store/anomalies";
import { dbTry } from "../db/db";
import type { DeliveryStatus } from "./outbox";
import { alertPayload } from "./sink";

export interface DeliveryView {
  readonly anomaly_id: string;
  readonly sink: string;
  readonly status: string;
  readonly episode: number;
  readonly attempts: number;
  readonly next_attempt_at: string | null;
  readonly last_error: string | null;
  readonly delivered_at: string | null;
  readonly created_at: string;
  readonly updated_at: string;
  /** The anomaly's, or null if it is gone. */
  readonly rule: string | null;
  readonly severity: string | null;
  readonly partition_key: string | null;
  readonly resolved_at: string | null;
  /** The alert line the sink got (or gets). */
  readonly text: string | null;
}

export interface DeliveryFilter {
  readonly status?: DeliveryStatus;
  readonly sink?: string;
  readonly anomalyId?: string;
  /** Default 100. */
  readonly limit?: number;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Deliveries matching `filter`, and how many deliveries there are in each status. */
export const listDeliveries = (filter: DeliveryFilter = {}) =>
  Effect.gen(function* () {
    const where: Array<string> = [];
    const args: Array<string | number> = [];
    for (const [column, value] of [
      ["status", filter.status],
      ["sink", filter.sink],
      ["anomaly_id", filter.anomalyId],
    ] as const) {
      if (value === undefined) continue;
      where.push(`${column} = ?`);
      args.push(value);
    }
    const [rows, counts] = yield* dbTry("alerts.list", (_, client) =>
      client.batch(
        [
          {
            sql: `SELECT * FROM core_alert_deliveries
                  ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""}
                  ORDER BY updated_at DESC, anomaly_id, sink LIMIT ?`,
            args: [...args, filter.limit ?? 100],
          },
          "SELECT status, count(*) AS n FROM core_alert_deliveries GROUP BY status",
        ],
        "read",
      ),
    );
    const found = rows?.rows ?? [];
    const anomalies = yield* anomaliesById([...new Set(found.map((r) => String(r.anomaly_id)))]);
    const deliveries = found.map((r): DeliveryView => {
      const anomaly = anomalies.get(String(r.anomaly_id));
      return {
        anomaly_id: String(r.anomaly_id),
        sink: String(r.sink),
        status: String(r.status),
        episode: Number(r.episode),
        attempts: Number(r.attempts),
        next_attempt_at: str(r.next_attempt_at),
        last_error: str(r.last_error),
        delivered_at: str(r.delivered_at),
        created_at: String(r.created_at),
        updated_at: String(r.updated_at),
        rule: anomaly?.rule ?? null,
        severity: anomaly?.severity ?? null,
        partition_key: anomaly?.partition_key ?? null,
        resolved_at: anomaly?.resolved_at ?? null,
        text: anomaly ? alertPayload(anomaly, Number(r.episode)).text : null,
      };
    });
    const byStatus: Record<string, number> = {};
    for (const r of counts?.rows ?? []) byStatus[String(r.status)] = Number(r.n);
    return { deliveries, counts: byStatus };
  });
