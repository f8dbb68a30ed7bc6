/**
 * A pipeline's partition grid: one row per date (newest first), one column per partition
 * scope (universe, client, tier), each cell the status of the partition's latest capture,
 * linking to the partition's page.
 */
import type { GridCell, GridWindow } from "../../../core/store/partition-grid";
import { partitionHref, STATUSES, StatusChips, statusLook } from "./layout";

export interface GridProps {
  readonly pipeline: string;
  readonly window: GridWindow;
  readonly cells: ReadonlyArray<GridCell>;
  /** Partitions of the whole pipeline by status. */
  readonly totals: Readonly<Record<string, number>>;
  readonly days: number;
}

/** An id a cell keeps across refreshes, so focus can return to it. */
export const cellId = (date: string, scope: string) =>
  `cell-${date}-${scope.replace(/[^A-Za-z0-9_-]/g, "_")}`;

const pageHref = (pipeline: string, days: number, cursor: string, direction: string) =>
  `/ui/pipelines/${encodeURIComponent(pipeline)}?${direction}=${cursor}&days=${days}`;

/** Counts of the cells on this page, by status. */
const windowCounts = (cells: ReadonlyArray<GridCell>) => {
  const counts: Record<string, number> = {};
  for (const c of cells) counts[c.status] = (counts[c.status] ?? 0) + 1;
  return counts;
};

const Pager = (props: GridProps) => (
  <nav class="pager" aria-label="Dates">
    {props.window.newer ? (
      <a href={pageHref(props.pipeline, props.days, props.window.newer, "after")} rel="prev">
        ← Newer dates
      </a>
    ) : (
      <span class="muted">Newest dates</span>
    )}
    {props.window.older ? (
      <a href={pageHref(props.pipeline, props.days, props.window.older, "before")} rel="next">
        Older dates →
      </a>
    ) : (
      <span class="muted">Oldest dates</span>
    )}
  </nav>
);

/** The legend, the counts and the grid: the part of the page that refreshes. */
export const Grid = (props: GridProps) => {
  const scopes = [...new Set(props.cells.map((c) => c.scope))].sort();
  const byKey = new Map(props.cells.map((c) => [`${c.date}|${c.scope}`, c]));
  const first = props.window.days[0];
  const last = props.window.days.at(-1);
  return (
    <>
      <h2 id="totals-h">All partitions</h2>
      <StatusChips counts={props.totals} />
      <h2 id="window-h">{first && last ? `${last} to ${first}` : "No dated partitions"}</h2>
      <StatusChips counts={windowCounts(props.cells)} />
      <Pager {...props} />
      {props.window.days.length > 0 ? (
        <div class="scroll">
          <table class="grid" aria-labelledby="window-h">
            <thead>
              <tr>
                <th scope="col">Date</th>
                {scopes.map((s) => (
                  <th scope="col">{s || "—"}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.window.days.map((date) => (
                <tr>
                  <th scope="row">{date}</th>
                  {scopes.map((scope) => {
                    const cell = byKey.get(`${date}|${scope}`);
                    if (!cell) {
                      return (
                        <td>
                          <span class="empty" title={`${date} ${scope}: never ran`}>
                            ·
                          </span>
                        </td>
                      );
                    }
                    const look = statusLook(cell.status);
                    const label = `${date} ${scope}: ${look.label}${
                      cell.captures > 1 ? `, ${cell.captures} captures` : ""
                    }`;
                    return (
                      <td>
                        <a
                          id={cellId(date, scope)}
                          class={`cell ${look.className}`}
                          href={partitionHref(props.pipeline, cell.partition_key)}
                          aria-label={label}
                          title={label}
                          data-partition={cell.partition_key}
                          data-status={cell.status}
                        >
                          {look.glyph}
                        </a>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager {...props} />
    </>
  );
};

/** The legend: every status with its glyph. */
export const Legend = () => (
  <details>
    <summary>Legend</summary>
    <ul class="chips">
      {STATUSES.map((s) => (
        <li class={`chip s-${s.status}`}>
          {s.glyph} {s.label}
        </li>
      ))}
      <li class="chip">· never ran</li>
    </ul>
  </details>
);
