/**
 * FINRA OTC transparency business logic, pure: dedupe of a week's venue rows, per-symbol
 * weekly summaries with each venue's market share, and six-week rolling averages. Every
 * ratio is exact (BigInt) and rounded half up; output order is fixed, so the same inputs give
 * byte-identical rows.
 */
import { type Decimal, parseDecimal } from "../../core/model/decimal";
import type { FinraVenueVolume } from "./schema";

/** `num / den` rounded half up to `places` decimals, canonical text; "0" when `den` is 0. */
export const ratioHalfUp = (num: bigint, den: bigint, places: number): Decimal => {
  if (den === 0n) return "0" as Decimal;
  const negative = num < 0n !== den < 0n && num !== 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const scale = 10n ** BigInt(places);
  const scaled = (n * scale * 2n + d) / (2n * d);
  const int = scaled / scale;
  const frac = (scaled % scale).toString().padStart(places, "0");
  const text = places > 0 ? `${int}.${frac}` : `${int}`;
  return parseDecimal(negative ? `-${text}` : text) as Decimal;
};

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A decoded venue row with its position in the file. */
export interface IndexedVenueVolume {
  readonly row: FinraVenueVolume;
  readonly recordIndex: number;
}

/**
 * One row per (symbol, MPID): a venue reported twice keeps its latest `last_update_date`,
 * and on a tie the later line (FINRA re-publishes corrections at the end). Sorted by symbol
 * then MPID. Returns the kept rows and the record indexes of the dropped duplicates.
 */
export const dedupeVenueRows = (
  rows: ReadonlyArray<IndexedVenueVolume>,
): { readonly kept: ReadonlyArray<FinraVenueVolume>; readonly dropped: ReadonlyArray<number> } => {
  const best = new Map<string, IndexedVenueVolume>();
  const dropped: Array<number> = [];
  for (const r of rows) {
    const key = `${r.row.symbol}|${r.row.mpid}`;
    const current = best.get(key);
    if (current === undefined) {
      best.set(key, r);
      continue;
    }
    const newer =
      r.row.last_update_date > current.row.last_update_date ||
      (r.row.last_update_date === current.row.last_update_date &&
        r.recordIndex > current.recordIndex);
    dropped.push(newer ? current.recordIndex : r.recordIndex);
    if (newer) best.set(key, r);
  }
  const kept = [...best.values()]
    .map((r) => r.row)
    .sort((a, b) => byText(a.symbol, b.symbol) || byText(a.mpid, b.mpid));
  return { kept, dropped: dropped.sort((a, b) => a - b) };
};

/** A venue row as stored in `finra_otc_transparency_venue_volume`. */
export interface VenueRow {
  readonly symbol: string;
  readonly issue_name: string;
  readonly mpid: string;
  readonly total_weekly_share_quantity: number;
  readonly total_weekly_trade_count: number;
}

export interface SymbolSummary {
  readonly symbol: string;
  readonly issue_name: string;
  readonly total_weekly_share_quantity: number;
  readonly total_weekly_trade_count: number;
  readonly venue_count: number;
  readonly avg_trade_size: Decimal;
}

export interface VenueShare {
  readonly symbol: string;
  readonly mpid: string;
  readonly total_weekly_share_quantity: number;
  readonly market_share: Decimal;
}

/**
 * Per-symbol totals of one week and tier, and each venue's share of its symbol's quantity
 * (6 places). Symbols sorted, venues by MPID.
 */
export const aggregateWeek = (
  rows: ReadonlyArray<VenueRow>,
): {
  readonly summaries: ReadonlyArray<SymbolSummary>;
  readonly shares: ReadonlyArray<VenueShare>;
} => {
  const bySymbol = new Map<string, Array<VenueRow>>();
  for (const r of rows) {
    const list = bySymbol.get(r.symbol) ?? [];
    list.push(r);
    bySymbol.set(r.symbol, list);
  }
  const summaries: Array<SymbolSummary> = [];
  const shares: Array<VenueShare> = [];
  for (const symbol of [...bySymbol.keys()].sort(byText)) {
    const venues = (bySymbol.get(symbol) ?? []).slice().sort((a, b) => byText(a.mpid, b.mpid));
    const quantity = venues.reduce((s, v) => s + BigInt(v.total_weekly_share_quantity), 0n);
    const trades = venues.reduce((s, v) => s + BigInt(v.total_weekly_trade_count), 0n);
    summaries.push({
      symbol,
      issue_name: venues[0]?.issue_name ?? "",
      total_weekly_share_quantity: Number(quantity),
      total_weekly_trade_count: Number(trades),
      venue_count: venues.length,
      avg_trade_size: ratioHalfUp(quantity, trades, 4),
    });
    for (const v of venues) {
      shares.push({
        symbol,
        mpid: v.mpid,
        total_weekly_share_quantity: v.total_weekly_share_quantity,
        market_share: ratioHalfUp(BigInt(v.total_weekly_share_quantity), quantity, 6),
      });
    }
  }
  return { summaries, shares };
};

/** One symbol's summary of one week, as the rolling window reads it. */
export interface WeeklyPoint {
  readonly week_ending: string;
  readonly symbol: string;
  readonly total_weekly_share_quantity: number;
  readonly total_weekly_trade_count: number;
  readonly venue_count: number;
}

export interface RollingAverage {
  readonly symbol: string;
  readonly window_start: string;
  readonly weeks_in_window: number;
  readonly avg_weekly_share_quantity: Decimal;
  readonly avg_weekly_trade_count: Decimal;
  readonly avg_venue_count: Decimal;
}

/**
 * Rolling averages over `weeks` (oldest first). Only symbols present in every week of the
 * window are computed; the others are returned as `excluded` (insufficient history).
 */
export const rollingAverages = (
  weeks: ReadonlyArray<string>,
  points: ReadonlyArray<WeeklyPoint>,
): { readonly rows: ReadonlyArray<RollingAverage>; readonly excluded: ReadonlyArray<string> } => {
  const window = new Set(weeks);
  const bySymbol = new Map<string, Array<WeeklyPoint>>();
  for (const p of points) {
    if (!window.has(p.week_ending)) continue;
    const list = bySymbol.get(p.symbol) ?? [];
    list.push(p);
    bySymbol.set(p.symbol, list);
  }
  const n = BigInt(weeks.length);
  const rows: Array<RollingAverage> = [];
  const excluded: Array<string> = [];
  for (const symbol of [...bySymbol.keys()].sort(byText)) {
    const list = bySymbol.get(symbol) ?? [];
    if (new Set(list.map((p) => p.week_ending)).size !== weeks.length) {
      excluded.push(symbol);
      continue;
    }
    const sum = (f: (p: WeeklyPoint) => number) => list.reduce((s, p) => s + BigInt(f(p)), 0n);
    rows.push({
      symbol,
      window_start: weeks[0] ?? "",
      weeks_in_window: weeks.length,
      avg_weekly_share_quantity: ratioHalfUp(
        sum((p) => p.total_weekly_share_quantity),
        n,
        2,
      ),
      avg_weekly_trade_count: ratioHalfUp(
        sum((p) => p.total_weekly_trade_count),
        n,
        2,
      ),
      avg_venue_count: ratioHalfUp(
        sum((p) => p.venue_count),
        n,
        2,
      ),
    });
  }
  return { rows, excluded };
};
