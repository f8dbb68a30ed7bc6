/**
 * Reads and idempotent writes of the FINRA OTC transparency stage tables. Each stage owns the
 * rows of its partition (`week_ending`, `tier`): a run upserts what it computed (stamping its
 * capture) and then deletes that partition's rows of older captures, so a re-run that yields
 * fewer rows leaves no stale ones behind.
 */
import { Effect } from "effect";
import type { RunContext } from "../../core/model/run-context";
import { type BulkUpsertSpec, bulkUpsert } from "../../db/bulk-upsert";
import { dbTry } from "../../db/db";
import type {
  RollingAverage,
  SymbolSummary,
  VenueRow,
  VenueShare,
  WeeklyPoint,
} from "./calculations";
import type { WeekTierPartition } from "./partition";

const CAPTURE = ["capture_id", "captured_at", "execution_id", "batch_id"] as const;
const stamp = (ctx: RunContext) => [ctx.captureId, ctx.capturedAt, ctx.executionId, ctx.batchId];

/** Deletes a partition's rows of `table` written by other captures; returns how many. */
export const deleteStale = (table: string, p: WeekTierPartition, ctx: RunContext) =>
  dbTry(`${table}.deleteStale`, (_, client) =>
    client.execute({
      sql: `DELETE FROM ${table} WHERE week_ending = ? AND tier = ? AND capture_id != ?`,
      args: [p.weekEnding, p.tier, ctx.captureId],
    }),
  ).pipe(Effect.map((r) => r.rowsAffected));

/** One line of a weekly file as received. */
export interface RawVenueLine {
  readonly recordIndex: number;
  readonly raw: string;
  readonly fields: Readonly<Record<string, string | null>>;
}

const RAW_FIELDS = [
  "tierDescription",
  "issueSymbolIdentifier",
  "issueName",
  "marketParticipantName",
  "MPID",
  "totalWeeklyShareQuantity",
  "totalWeeklyTradeCount",
  "lastUpdateDate",
] as const;

const RAW: BulkUpsertSpec = {
  table: "finra_otc_transparency_raw",
  columns: [
    "week_ending",
    "tier",
    "record_index",
    "tier_description",
    "issue_symbol_identifier",
    "issue_name",
    "market_participant_name",
    "mpid",
    "total_weekly_share_quantity",
    "total_weekly_trade_count",
    "last_update_date",
    "raw_record",
    "source",
    ...CAPTURE,
  ],
  key: ["week_ending", "tier", "record_index"],
};

/** Upserts raw lines of one partition. */
export const upsertRawLines = (
  p: WeekTierPartition,
  source: string,
  lines: ReadonlyArray<RawVenueLine>,
  ctx: RunContext,
) =>
  bulkUpsert(
    RAW,
    lines.map((l) => [
      p.weekEnding,
      p.tier,
      l.recordIndex,
      ...RAW_FIELDS.map((f) => l.fields[f] ?? null),
      l.raw,
      source,
      ...stamp(ctx),
    ]),
  );

/** The raw lines of one partition, in file order. */
export const readRawLines = (p: WeekTierPartition) =>
  dbTry("finra_otc_transparency_raw.read", (_, client) =>
    client.execute({
      sql: `SELECT record_index, raw_record, ${RAW.columns.slice(3, 11).join(", ")}
            FROM finra_otc_transparency_raw WHERE week_ending = ? AND tier = ? ORDER BY record_index`,
      args: [p.weekEnding, p.tier],
    }),
  ).pipe(
    Effect.map((result) =>
      result.rows.map(
        (r): RawVenueLine => ({
          recordIndex: Number(r.record_index),
          raw: String(r.raw_record),
          fields: Object.fromEntries(
            RAW_FIELDS.map((f, i) => {
              const v = r[RAW.columns[3 + i] as string];
              return [f, v === null || v === undefined ? null : String(v)];
            }),
          ),
        }),
      ),
    ),
  );

/** The normalized venue rows of one partition, by symbol then MPID. */
export const readVenueRows = (p: WeekTierPartition) =>
  dbTry("finra_otc_transparency_venue_volume.read", (_, client) =>
    client.execute({
      sql: `SELECT symbol, issue_name, mpid, total_weekly_share_quantity, total_weekly_trade_count
            FROM finra_otc_transparency_venue_volume WHERE week_ending = ? AND tier = ?
            ORDER BY symbol, mpid`,
      args: [p.weekEnding, p.tier],
    }),
  ).pipe(
    Effect.map((result) =>
      result.rows.map(
        (r): VenueRow => ({
          symbol: String(r.symbol),
          issue_name: String(r.issue_name),
          mpid: String(r.mpid),
          total_weekly_share_quantity: Number(r.total_weekly_share_quantity),
          total_weekly_trade_count: Number(r.total_weekly_trade_count),
        }),
      ),
    ),
  );

const SUMMARY: BulkUpsertSpec = {
  table: "finra_otc_transparency_symbol_summary",
  columns: [
    "week_ending",
    "tier",
    "symbol",
    "issue_name",
    "total_weekly_share_quantity",
    "total_weekly_trade_count",
    "venue_count",
    "avg_trade_size",
    ...CAPTURE,
  ],
  key: ["week_ending", "tier", "symbol"],
};

export const upsertSummaries = (
  p: WeekTierPartition,
  rows: ReadonlyArray<SymbolSummary>,
  ctx: RunContext,
) =>
  bulkUpsert(
    SUMMARY,
    rows.map((r) => [
      p.weekEnding,
      p.tier,
      r.symbol,
      r.issue_name,
      r.total_weekly_share_quantity,
      r.total_weekly_trade_count,
      r.venue_count,
      r.avg_trade_size,
      ...stamp(ctx),
    ]),
  );

const SHARE: BulkUpsertSpec = {
  table: "finra_otc_transparency_venue_share",
  columns: [
    "week_ending",
    "tier",
    "symbol",
    "mpid",
    "total_weekly_share_quantity",
    "market_share",
    ...CAPTURE,
  ],
  key: ["week_ending", "tier", "symbol", "mpid"],
};

export const upsertShares = (
  p: WeekTierPartition,
  rows: ReadonlyArray<VenueShare>,
  ctx: RunContext,
) =>
  bulkUpsert(
    SHARE,
    rows.map((r) => [
      p.weekEnding,
      p.tier,
      r.symbol,
      r.mpid,
      r.total_weekly_share_quantity,
      r.market_share,
      ...stamp(ctx),
    ]),
  );

/** The symbol summaries of a tier over the given weeks. */
export const readWeeklyPoints = (tier: string, weeks: ReadonlyArray<string>) =>
  dbTry("finra_otc_transparency_symbol_summary.read", (_, client) =>
    client.execute({
      sql: `SELECT week_ending, symbol, total_weekly_share_quantity, total_weekly_trade_count, venue_count
            FROM finra_otc_transparency_symbol_summary
            WHERE tier = ? AND week_ending IN (${weeks.map(() => "?").join(", ")})
            ORDER BY week_ending, symbol`,
      args: [tier, ...weeks],
    }),
  ).pipe(
    Effect.map((result) =>
      result.rows.map(
        (r): WeeklyPoint => ({
          week_ending: String(r.week_ending),
          symbol: String(r.symbol),
          total_weekly_share_quantity: Number(r.total_weekly_share_quantity),
          total_weekly_trade_count: Number(r.total_weekly_trade_count),
          venue_count: Number(r.venue_count),
        }),
      ),
    ),
  );

const ROLLING: BulkUpsertSpec = {
  table: "finra_otc_transparency_symbol_rolling_6w",
  columns: [
    "week_ending",
    "tier",
    "symbol",
    "window_start",
    "weeks_in_window",
    "avg_weekly_share_quantity",
    "avg_weekly_trade_count",
    "avg_venue_count",
    ...CAPTURE,
  ],
  key: ["week_ending", "tier", "symbol"],
};

export const upsertRolling = (
  p: WeekTierPartition,
  rows: ReadonlyArray<RollingAverage>,
  ctx: RunContext,
) =>
  bulkUpsert(
    ROLLING,
    rows.map((r) => [
      p.weekEnding,
      p.tier,
      r.symbol,
      r.window_start,
      r.weeks_in_window,
      r.avg_weekly_share_quantity,
      r.avg_weekly_trade_count,
      r.avg_venue_count,
      ...stamp(ctx),
    ]),
  );
