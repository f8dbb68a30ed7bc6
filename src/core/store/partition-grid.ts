/**
 * Reads of `core_manifest` for the status page: a pipeline's partitions as a grid of dates ×
 * partition scope (the latest capture of each), paged by date window with keyset cursors,
 * the partitions per status (`core_partition_counts`), and one partition's captures.
 *
 * Partition keys start with their date (`YYYY-MM-DD|<scope>`), so a date window is a range
 * of keys and every query here is a range search of `core_manifest_grid_idx`, which holds
 * every column they read: the cost follows the page, not the number of partitions.
 */
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { splitDatedKey } from "../pipeline/partition-scheme";

/** Dates of one page, newest first, with the cursors to the pages either side. */
export interface GridWindow {
  readonly days: ReadonlyArray<string>;
  /** Cursor for older dates (`before`), when there are any. */
  readonly older: string | null;
  /** Cursor for newer dates (`after`), when the page is not the newest. */
  readonly newer: string | null;
}

/** One partition's latest capture. */
export interface GridCell {
  readonly partition_key: string;
  readonly date: string;
  readonly scope: string;
  readonly status: string;
  readonly capture_id: string;
  readonly captured_at: string;
  readonly captures: number;
}

/** Where a page starts: the newest dates, dates before a date, or dates after one. */
export type GridCursor =
  | { readonly kind: "newest" }
  | { readonly kind: "before"; readonly date: string }
  | { readonly kind: "after"; readonly date: string };

// Keys of date D sort between "D" and "D~" ('|' < '~'), so "< D" skips D's keys going back
// and ">= D~" skips them going forward. Keys that do not start with a digit sort after
// "9999" and stay out of the grid.
export const NEWEST_BOUND = "9999";

/** The next `?4` dates before key `?3`, newest first: one index seek per date. */
export const GRID_DAYS_BEFORE_SQL = `WITH RECURSIVE d(day, n) AS (
  SELECT (SELECT substr(max(partition_key), 1, 10) FROM core_manifest
          WHERE domain = ?1 AND stage = ?2 AND partition_key < ?3), 1
  UNION ALL
  SELECT (SELECT substr(max(partition_key), 1, 10) FROM core_manifest
          WHERE domain = ?1 AND stage = ?2 AND partition_key < d.day), n + 1
  FROM d WHERE d.day IS NOT NULL AND n < ?4
)
SELECT day FROM d WHERE day IS NOT NULL ORDER BY n`;

/** The next `?4` dates after date `?3`, oldest first: one index seek per date. */
export const GRID_DAYS_AFTER_SQL = `WITH RECURSIVE d(day, n) AS (
  SELECT (SELECT substr(min(partition_key), 1, 10) FROM core_manifest
          WHERE domain = ?1 AND stage = ?2 AND partition_key >= ?3 || '~'
            AND partition_key < '${NEWEST_BOUND}'), 1
  UNION ALL
  SELECT (SELECT substr(min(partition_key), 1, 10) FROM core_manifest
          WHERE domain = ?1 AND stage = ?2 AND partition_key >= d.day || '~'
            AND partition_key < '${NEWEST_BOUND}'), n + 1
  FROM d WHERE d.day IS NOT NULL AND n < ?4
)
SELECT day FROM d WHERE day IS NOT NULL ORDER BY n`;

/**
 * The latest capture of every partition with a key in [`?3`, `?4`): the bare columns come
 * from the row holding the maximum (SQLite), ties on `captured_at` broken by capture id.
 */
export const GRID_CELLS_SQL = `SELECT partition_key, status, capture_id,
  max(captured_at || ' ' || capture_id) AS latest, count(*) AS captures
FROM core_manifest
WHERE domain = ?1 AND stage = ?2 AND partition_key >= ?3 AND partition_key < ?4
GROUP BY partition_key
ORDER BY partition_key DESC
LIMIT ?5`;

/** The most cells one page reads (dates × scopes); a page past it is cut, newest first. */
export const MAX_GRID_CELLS = 5_000;

/**
 * A partition key as its grid column (date) and row (scope), read as the partition schemes
 * read a `YYYY-MM-DD|<scope>` key; a key they do not read as dated stands in the column of
 * its first ten characters, without a scope.
 */
export const gridPlace = (key: string): { readonly date: string; readonly scope: string } => {
  const dated = splitDatedKey(key);
  return dated === undefined
    ? { date: key.slice(0, 10), scope: "" }
    : { date: dated.date, scope: dated.scope ?? "" };
};

/** Partitions per status of the latest capture, for every pipeline stage that has any. */
export interface StatusCounts {
  readonly domain: string;
  readonly stage: string;
  readonly counts: Readonly<Record<string, number>>;
}

/** One capture of a partition, with its manifest metadata. */
export interface PartitionCapture {
  readonly capture_id: string;
  readonly captured_at: string;
  readonly status: string;
  readonly row_count: number | null;
  readonly execution_id: string | null;
  readonly batch_id: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The page of `found` dates (walked from the cursor, one more than `days`) and its cursors. */
export const toGridWindow = (
  found: ReadonlyArray<string>,
  cursor: GridCursor,
  days: number,
): GridWindow => {
  const backwards = cursor.kind !== "after";
  const more = found.length > days;
  const page = found.slice(0, days);
  const newestFirst = backwards ? page : [...page].reverse();
  const oldest = newestFirst.at(-1) ?? null;
  const newest = newestFirst[0] ?? null;
  return {
    days: newestFirst,
    older: (backwards ? more : cursor.kind === "after") ? oldest : null,
    newer: (backwards ? cursor.kind === "before" : more) ? newest : null,
  };
};

/** Where a window's walk starts: the newest bound, or the cursor's date. */
export const windowBound = (cursor: GridCursor) =>
  cursor.kind === "newest" ? NEWEST_BOUND : cursor.date;

/** The latest capture of a partition, from its key, status, capture id and `latest`. */
export const toGridCell = (
  key: string,
  status: string,
  captureId: string,
  latest: string,
  captures: number,
): GridCell => ({
  partition_key: key,
  ...gridPlace(key),
  status,
  capture_id: captureId,
  captured_at: latest.slice(0, latest.indexOf(" ")),
  captures,
});

/** The status page's reads of `core_manifest` and `core_partition_counts`. */
export class PartitionGrid extends Effect.Service<PartitionGrid>()("dataspine/PartitionGrid", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** The dates of one page of `days` dates, with its cursors. */
      window: (domain: string, stage: string, cursor: GridCursor, days: number) =>
        run("partitionGrid.window", async (_, client) => {
          const rs = await client.execute({
            sql: cursor.kind !== "after" ? GRID_DAYS_BEFORE_SQL : GRID_DAYS_AFTER_SQL,
            args: [domain, stage, windowBound(cursor), days + 1],
          });
          return toGridWindow(
            rs.rows.map((r) => String(r.day)),
            cursor,
            days,
          );
        }),
      /** The latest capture of every partition dated within [`oldest`, `newest`], newest first. */
      cells: (domain: string, stage: string, oldest: string, newest: string) =>
        run("partitionGrid.cells", (_, client) =>
          client.execute({
            sql: GRID_CELLS_SQL,
            args: [domain, stage, oldest, `${newest}~`, MAX_GRID_CELLS],
          }),
        ).pipe(
          Effect.map((rs) =>
            rs.rows.map((r) =>
              toGridCell(
                String(r.partition_key),
                String(r.status),
                String(r.capture_id),
                String(r.latest),
                Number(r.captures),
              ),
            ),
          ),
        ),
      /** Partitions per status of their latest capture, per domain + stage (in no set order). */
      statusCounts: run("partitionGrid.counts", (_, client) =>
        client.execute(
          "SELECT domain, stage, status, partitions FROM core_partition_counts WHERE partitions > 0",
        ),
      ).pipe(
        Effect.map((rs) =>
          groupCounts(
            rs.rows.map((r) => ({
              domain: String(r.domain),
              stage: String(r.stage),
              status: String(r.status),
              partitions: Number(r.partitions),
            })),
          ),
        ),
      ),
      /** The captures of one partition, newest first (at most `limit`). */
      captures: (domain: string, stage: string, partitionKey: string, limit: number) =>
        run("partitionGrid.captures", (_, client) =>
          client.execute({
            sql: `SELECT capture_id, captured_at, status, row_count, execution_id, batch_id, metadata
FROM core_manifest WHERE domain = ? AND stage = ? AND partition_key = ?
ORDER BY captured_at DESC, capture_id DESC LIMIT ?`,
            args: [domain, stage, partitionKey, limit],
          }),
        ).pipe(
          Effect.map((rs) =>
            rs.rows.map(
              (r): PartitionCapture => ({
                capture_id: String(r.capture_id),
                captured_at: String(r.captured_at),
                status: String(r.status),
                row_count: r.row_count === null ? null : Number(r.row_count),
                execution_id: r.execution_id === null ? null : String(r.execution_id),
                batch_id: r.batch_id === null ? null : String(r.batch_id),
                metadata:
                  typeof r.metadata === "string"
                    ? (JSON.parse(r.metadata) as Record<string, unknown>)
                    : {},
              }),
            ),
          ),
        ),
    };
  }),
  accessors: true,
}) {}

/** Counts of partitions by status, grouped by domain + stage. */
export const groupCounts = (
  rows: ReadonlyArray<{ domain: string; stage: string; status: string; partitions: number }>,
): ReadonlyArray<StatusCounts> => {
  const byStage = new Map<
    string,
    { domain: string; stage: string; counts: Record<string, number> }
  >();
  for (const r of rows) {
    const id = `${r.domain}\u0000${r.stage}`;
    const entry = byStage.get(id) ?? { domain: r.domain, stage: r.stage, counts: {} };
    entry.counts[r.status] = r.partitions;
    byStage.set(id, entry);
  }
  return [...byStage.values()];
};

/** The dates of one page of `days` dates, with its cursors. */
export const gridWindow = PartitionGrid.window;

/** The latest capture of every partition dated within [`oldest`, `newest`], newest first. */
export const gridCells = PartitionGrid.cells;

/** `core_partition_counts`, grouped by domain + stage. */
export const partitionStatusCounts = PartitionGrid.statusCounts;

/** The captures of one partition, newest first (at most `limit`, default 20). */
export const partitionCaptures = (
  domain: string,
  stage: string,
  partitionKey: string,
  limit = 20,
) => PartitionGrid.captures(domain, stage, partitionKey, limit);
