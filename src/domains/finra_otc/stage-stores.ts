/**
 * Reads and idempotent writes of the FINRA OTC transparency stage tables. Each stage owns the
 * rows of its partition (`week_ending`, `tier`): a run upserts what it computed (stamping its
 * capture) and then deletes that partition's rows of older captures, so a re-run that yields
 * fewer rows leaves no stale ones behind.
 */
import * as Effect from "effect/Effect";
import type { RunContext } from "../../core/model/run-context";
import { dbTry } from "../../db/db";
import {
  finraOtcRaw,
  finraOtcRolling6w,
  finraOtcSymbolSummary,
  finraOtcVenueShare,
} from "../../db/schema/finra-otc";
import { tableWriter } from "../../db/table-writer";
import type {
  RollingAverage,
  SymbolSummary,
  VenueRow,
  VenueShare,
  WeeklyPoint,
} from "./calculations";
import type { WeekTierPartition } from "./partition";

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

/** The raw line's fields (as the file names them) by `finra_otc_transparency_raw` column. */
const RAW_FIELDS = {
  tierDescription: "tierDescription",
  issueSymbolIdentifier: "issueSymbolIdentifier",
  issueName: "issueName",
  marketParticipantName: "marketParticipantName",
  mpid: "MPID",
  totalWeeklyShareQuantity: "totalWeeklyShareQuantity",
  totalWeeklyTradeCount: "totalWeeklyTradeCount",
  lastUpdateDate: "lastUpdateDate",
} as const;

type RawScope = { readonly partition: WeekTierPartition; readonly source: string };
const field =
  (name: string) =>
  (l: RawVenueLine): string | null =>
    l.fields[name] ?? null;

const RAW = tableWriter(finraOtcRaw, {
  weekEnding: (_: RawVenueLine, s: RawScope) => s.partition.weekEnding,
  tier: (_, s) => s.partition.tier,
  recordIndex: (l) => l.recordIndex,
  tierDescription: field(RAW_FIELDS.tierDescription),
  issueSymbolIdentifier: field(RAW_FIELDS.issueSymbolIdentifier),
  issueName: field(RAW_FIELDS.issueName),
  marketParticipantName: field(RAW_FIELDS.marketParticipantName),
  mpid: field(RAW_FIELDS.mpid),
  totalWeeklyShareQuantity: field(RAW_FIELDS.totalWeeklyShareQuantity),
  totalWeeklyTradeCount: field(RAW_FIELDS.totalWeeklyTradeCount),
  lastUpdateDate: field(RAW_FIELDS.lastUpdateDate),
  rawRecord: (l) => l.raw,
  source: (_, s) => s.source,
});

/** The stored columns of the line's fields, and the field each holds. */
const RAW_FIELD_COLUMNS = RAW.columns.slice(3, 11);
const RAW_FIELD_NAMES = Object.values(RAW_FIELDS);

/** Upserts raw lines of one partition. */
export const upsertRawLines = (
  p: WeekTierPartition,
  source: string,
  lines: ReadonlyArray<RawVenueLine>,
  ctx: RunContext,
) => RAW.write(lines, { partition: p, source }, ctx);

/** The raw lines of one partition, in file order. */
export const readRawLines = (p: WeekTierPartition) =>
  dbTry("finra_otc_transparency_raw.read", (_, client) =>
    client.execute({
      sql: `SELECT record_index, raw_record, ${RAW_FIELD_COLUMNS.join(", ")}
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
            RAW_FIELD_NAMES.map((f, i) => {
              const v = r[RAW_FIELD_COLUMNS[i] as string];
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

const SUMMARY = tableWriter(finraOtcSymbolSummary, {
  weekEnding: (_: SymbolSummary, p: WeekTierPartition) => p.weekEnding,
  tier: (_, p) => p.tier,
  symbol: (r) => r.symbol,
  issueName: (r) => r.issue_name,
  totalWeeklyShareQuantity: (r) => r.total_weekly_share_quantity,
  totalWeeklyTradeCount: (r) => r.total_weekly_trade_count,
  venueCount: (r) => r.venue_count,
  avgTradeSize: (r) => r.avg_trade_size,
});

export const upsertSummaries = (
  p: WeekTierPartition,
  rows: ReadonlyArray<SymbolSummary>,
  ctx: RunContext,
) => SUMMARY.write(rows, p, ctx);

const SHARE = tableWriter(finraOtcVenueShare, {
  weekEnding: (_: VenueShare, p: WeekTierPartition) => p.weekEnding,
  tier: (_, p) => p.tier,
  symbol: (r) => r.symbol,
  mpid: (r) => r.mpid,
  totalWeeklyShareQuantity: (r) => r.total_weekly_share_quantity,
  marketShare: (r) => r.market_share,
});

export const upsertShares = (
  p: WeekTierPartition,
  rows: ReadonlyArray<VenueShare>,
  ctx: RunContext,
) => SHARE.write(rows, p, ctx);

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

const ROLLING = tableWriter(finraOtcRolling6w, {
  weekEnding: (_: RollingAverage, p: WeekTierPartition) => p.weekEnding,
  tier: (_, p) => p.tier,
  symbol: (r) => r.symbol,
  windowStart: (r) => r.window_start,
  weeksInWindow: (r) => r.weeks_in_window,
  avgWeeklyShareQuantity: (r) => r.avg_weekly_share_quantity,
  avgWeeklyTradeCount: (r) => r.avg_weekly_trade_count,
  avgVenueCount: (r) => r.avg_venue_count,
});

export const upsertRolling = (
  p: WeekTierPartition,
  rows: ReadonlyArray<RollingAverage>,
  ctx: RunContext,
) => ROLLING.write(rows, p, ctx);
