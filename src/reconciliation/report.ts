/**
 * The human-readable form of a batch diff, grouped by added / removed / modified.
 */
import { canonicalJson } from "./canonical";
import type { BatchDiff } from "./diff";

const show = (value: unknown) => (typeof value === "string" ? value : canonicalJson(value));

const keyLabel = (key: Readonly<Record<string, unknown>>) =>
  Object.entries(key)
    .map(([field, value]) => `${field}=${show(value)}`)
    .join(" ");

export interface ReportOptions {
  /** Title line. Default "Reconciliation". */
  readonly title?: string;
  /** Records listed per group before "… and N more". Default 50. */
  readonly limit?: number;
}

/**
 * The report as text, e.g.
 *
 * ```
 * Reconciliation: 0 added, 0 removed, 1 modified, 9 unchanged (old 10, new 10)
 * MODIFIED (1)
 *   symbol=AAPL trading_date=2025-07-01
 *     close: 150.25 → 150.3
 * ```
 */
export const formatDiffReport = (diff: BatchDiff, options: ReportOptions = {}): string => {
  const limit = options.limit ?? 50;
  const s = diff.summary;
  const lines = [
    `${options.title ?? "Reconciliation"}: ${s.added} added, ${s.removed} removed, ${s.modified} modified, ${s.unchanged} unchanged (old ${s.old}, new ${s.new})`,
  ];
  const more = (total: number) => {
    if (total > limit) lines.push(`  … and ${total - limit} more`);
  };
  const keyOf = (record: Readonly<Record<string, unknown>>) =>
    Object.fromEntries(diff.key.map((f) => [f, record[f] ?? null]));
  if (diff.added.length > 0) {
    lines.push(`ADDED (${diff.added.length})`);
    for (const record of diff.added.slice(0, limit)) lines.push(`  ${keyLabel(keyOf(record))}`);
    more(diff.added.length);
  }
  if (diff.removed.length > 0) {
    lines.push(`REMOVED (${diff.removed.length})`);
    for (const record of diff.removed.slice(0, limit)) lines.push(`  ${keyLabel(keyOf(record))}`);
    more(diff.removed.length);
  }
  if (diff.modified.length > 0) {
    lines.push(`MODIFIED (${diff.modified.length})`);
    for (const m of diff.modified.slice(0, limit)) {
      lines.push(`  ${keyLabel(m.key)}`);
      for (const [field, change] of Object.entries(m.diffs)) {
        lines.push(`    ${field}: ${show(change.old)} → ${show(change.new)}`);
      }
    }
    more(diff.modified.length);
  }
  if (s.added + s.removed + s.modified === 0) lines.push("no differences");
  return lines.join("\n");
};
