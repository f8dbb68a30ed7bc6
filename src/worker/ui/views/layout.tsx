/**
 * The page shell of the status page (navigation, the live region that refreshes itself) and
 * the small pieces every page uses: status chips and their legend, list tables, partition links.
 */

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { CSS, SCRIPT } from "../assets";

/** Partition statuses in display order, each with a glyph so colour is never the only cue. */
export const STATUSES = [
  { status: "complete", label: "complete", glyph: "✓" },
  { status: "no_data_expected", label: "no data expected", glyph: "–" },
  { status: "running", label: "running", glyph: "▶" },
  { status: "retrying", label: "retrying", glyph: "↻" },
  { status: "failed", label: "failed", glyph: "✗" },
  { status: "pending", label: "pending", glyph: "…" },
  { status: "skipped", label: "skipped", glyph: "⤼" },
] as const;

const KNOWN = new Map<string, (typeof STATUSES)[number]>(STATUSES.map((s) => [s.status, s]));

/** Class, label and glyph of a status; unknown ones render as "other". */
export const statusLook = (status: string) => {
  const known = KNOWN.get(status);
  return known
    ? { className: `s-${known.status}`, label: known.label, glyph: known.glyph }
    : { className: "s-other", label: status, glyph: "?" };
};

/** Counts per status as chips, in display order, zero counts left out. */
export const StatusChips = (props: { counts: Readonly<Record<string, number>> }) => {
  const entries = [
    ...STATUSES.map((s) => [s.status, props.counts[s.status] ?? 0] as const),
    ...Object.entries(props.counts).filter(([s]) => !KNOWN.has(s)),
  ].filter(([, n]) => n > 0);
  if (entries.length === 0) return <p class="muted">No partitions yet.</p>;
  return (
    <ul class="chips" aria-label="Partitions by status">
      {entries.map(([status, n]) => {
        const look = statusLook(status);
        return (
          <li class={`chip ${look.className}`} data-status={status}>
            {look.glyph} {look.label}: <span data-count={status}>{n.toLocaleString("en-US")}</span>
          </li>
        );
      })}
    </ul>
  );
};

/** One status as a chip. */
export const StatusChip = (props: { status: string }) => {
  const look = statusLook(props.status);
  return (
    <span class={`chip ${look.className}`} data-status={props.status}>
      {look.glyph} {look.label}
    </span>
  );
};

const NAV = [
  { href: "/ui", label: "Pipelines" },
  { href: "/ui/anomalies", label: "Anomalies" },
  { href: "/ui/dead-letters", label: "Dead letters" },
  { href: "/ui/operations", label: "Backfills & replays" },
  { href: "/ui/readiness", label: "Readiness" },
];

export interface LayoutProps {
  readonly title: string;
  readonly nonce: string;
  /** Which navigation entry is current; none on the public summary and the login page. */
  readonly section?: string;
  readonly signedIn?: boolean;
  readonly children?: Child;
}

/** The whole page. */
export const Layout = (props: LayoutProps) => (
  <>
    {raw("<!DOCTYPE html>")}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · dataspine`}</title>
        <style nonce={props.nonce}>{raw(CSS)}</style>
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header>
          <a class="brand" href={props.signedIn ? "/ui" : "/"}>
            dataspine
          </a>
          {props.signedIn ? (
            <>
              <nav aria-label="Main">
                <ul>
                  {NAV.map((n) => (
                    <li>
                      <a href={n.href} aria-current={props.section === n.href ? "page" : undefined}>
                        {n.label}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
              <form class="inline" method="post" action="/ui/logout">
                <button type="submit">Sign out</button>
              </form>
            </>
          ) : null}
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
        <script nonce={props.nonce}>{raw(SCRIPT)}</script>
      </body>
    </html>
  </>
);

/** The part of a page that refreshes itself; the same markup is served as the fragment. */
export const Live = (props: { refreshMs?: number; children?: Child }) => (
  <>
    <p class="updated muted" id="updated">
      Refreshes every {(props.refreshMs ?? 3000) / 1000} s.
    </p>
    <div id="live" data-refresh-ms={String(props.refreshMs ?? 3000)}>
      {props.children}
    </div>
  </>
);

/** A compact UTC time. */
export const Time = (props: { at: string | null | undefined }) =>
  props.at ? <time datetime={props.at}>{props.at.replace("T", " ").slice(0, 19)} UTC</time> : "—";

/** The status page's link to one partition. */
export const partitionHref = (pipeline: string, key: string) =>
  `/ui/partitions/${encodeURIComponent(pipeline)}/${encodeURIComponent(key)}`;

/**
 * A list table that stacks into labelled cards on narrow screens: one header cell per
 * column; each row's cells carry `data-label` with their column's name.
 */
export const StackTable = (props: {
  id?: string;
  columns: ReadonlyArray<string>;
  children?: Child;
}) => (
  <div class="scroll">
    <table class="stack" id={props.id}>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col">{column}</th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  </div>
);
