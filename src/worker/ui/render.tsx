/**
 * Rendering status pages: the whole page, or only its live part when the page's own script
 * asks for a fragment; every answer with a per-response CSP nonce and no caching.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { Layout, Live } from "./views/layout";
import { Problem } from "./views/login";

/** The header the refresh script sends to get only the live region. */
export const FRAGMENT_HEADER = "x-dataspine-fragment";

const newNonce = () => {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
};

const headersFor = (nonce: string) => ({
  "Content-Security-Policy": [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; "),
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
});

/** Whether the request is the refresh script asking for the live region only. */
export const wantsFragment = (c: Context) => c.req.header(FRAGMENT_HEADER) === "1";

export interface PageParts {
  readonly title: string;
  readonly section?: string;
  readonly signedIn: boolean;
  /** Rendered before the live region (headings, filter forms): never swapped. */
  readonly head?: Child;
  /** The live region's content: what a fragment request gets. */
  readonly live: Child;
  /** How often the live region refreshes. Default 3 s. */
  readonly refreshMs?: number;
  readonly status?: ContentfulStatusCode;
}

const etagOf = async (text: string) => {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  const hex = Array.from(new Uint8Array(digest).slice(0, 12), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
  return `"${hex}"`;
};

/**
 * The live region alone, with an ETag of its HTML: an unchanged region is answered 304, so
 * a page left open does not download the same grid every few seconds.
 */
const fragment = async (c: Context, live: Child, status: ContentfulStatusCode) => {
  const html = String(await (<div>{live}</div>).toString());
  const etag = await etagOf(html);
  const headers = { ...headersFor(newNonce()), ETag: etag };
  if (status === 200 && c.req.header("If-None-Match") === etag) {
    return c.body(null, 304, headers);
  }
  return c.html(html, status, headers);
};

/** The page, or its live region alone for a fragment request. */
export const page = (c: Context, parts: PageParts) => {
  const nonce = newNonce();
  const status = parts.status ?? 200;
  if (wantsFragment(c)) return fragment(c, parts.live, status);
  return c.html(
    <Layout
      title={parts.title}
      nonce={nonce}
      signedIn={parts.signedIn}
      {...(parts.section ? { section: parts.section } : {})}
    >
      {parts.head}
      <Live {...(parts.refreshMs ? { refreshMs: parts.refreshMs } : {})}>{parts.live}</Live>
    </Layout>,
    status,
    headersFor(nonce),
  );
};

/** A page without a live region. */
export const staticPage = (
  c: Context,
  parts: Omit<PageParts, "live" | "head" | "refreshMs"> & { readonly body: Child },
) => {
  const nonce = newNonce();
  return c.html(
    <Layout title={parts.title} nonce={nonce} signedIn={parts.signedIn}>
      {parts.body}
    </Layout>,
    parts.status ?? 200,
    headersFor(nonce),
  );
};

/** A refused or failed request as a page (or as text, for the refresh script). */
export const problem = (
  c: Context,
  status: ContentfulStatusCode,
  title: string,
  message: string,
  signedIn: boolean,
) => {
  if (wantsFragment(c)) return c.text(message, status, { "Cache-Control": "no-store" });
  return staticPage(c, {
    title,
    signedIn,
    status,
    body: <Problem title={title} message={message} {...(signedIn ? { back: "/ui" } : {})} />,
  });
};
