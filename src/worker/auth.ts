/**
 * Token scopes. `DATASPINE_API_TOKEN` grants `write` (which includes `read`), the optional
 * `DATASPINE_READ_TOKEN` grants `read`. The app's guard requires `read` for GET/HEAD and
 * `write` for every other method on every route except the public ones; a read route that
 * costs upstream calls adds `requireScope("write")`. `DATASPINE_PUBLIC_READS=true` opens the
 * read routes without a token, for a private network on purpose.
 */
import * as Option from "effect/Option";
import * as Redacted from "effect/Redacted";
import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { getCookie } from "hono/cookie";
import type { HttpSettings } from "../core/config/app-config";
import { constantTimeEqual } from "../core/model/digest";
import { type AppEnv, settingsOf } from "./app-env";
import { AuthNotConfigured, errorResponse, Forbidden, Unauthorized } from "./http-errors";

export type Scope = "read" | "write";

/** What `authorize` decided: the scope the token holds, or why the request is refused. */
export type Authorization =
  | { readonly ok: true; readonly scope: Scope | "public" }
  | { readonly ok: false; readonly error: Unauthorized | Forbidden | AuthNotConfigured };

/** The cookie a browser session (the status page) carries the token in. */
export const TOKEN_COOKIE = "dataspine_token";

const SAFE_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS"]);
const TOKEN_REQUIRED = "a valid bearer token is required";

/** Whether `token` is `secret`, compared in constant time; false when the secret is unset. */
const matches = (token: string | undefined, secret: Option.Option<Redacted.Redacted<string>>) =>
  token === undefined || Option.isNone(secret)
    ? Promise.resolve(false)
    : constantTimeEqual(token, Redacted.value(secret.value));

/**
 * Checks `token` (from a header or cookie; `undefined` when none came) for `scope`, comparing
 * against both secrets in constant time. The status page calls this for its own routes.
 *
 * @example
 * const auth = await authorize(settingsOf(c.env.VARS).http, getCookie(c, TOKEN_COOKIE), "read");
 * if (!auth.ok) throw auth.error;
 */
export const authorize = async (
  http: HttpSettings,
  token: string | undefined,
  scope: Scope,
): Promise<Authorization> => {
  const [writes, reads] = await Promise.all([
    matches(token, http.apiToken),
    matches(token, http.readToken),
  ]);
  if (writes) return { ok: true, scope: "write" };
  if (scope === "read" && reads) return { ok: true, scope: "read" };
  if (scope === "read" && http.publicReads) return { ok: true, scope: "public" };
  if (Option.isNone(http.apiToken) && (scope === "write" || Option.isNone(http.readToken))) {
    const message = "DATASPINE_API_TOKEN is not set";
    return { ok: false, error: new AuthNotConfigured({ message }) };
  }
  if (reads) {
    const message = "this route needs the write token (DATASPINE_API_TOKEN), not the read token";
    return { ok: false, error: new Forbidden({ message }) };
  }
  return { ok: false, error: new Unauthorized({ message: TOKEN_REQUIRED }) };
};

/** Whether a browser request comes from this origin (`Sec-Fetch-Site`, else `Origin`). */
export const sameOrigin = (c: Context): boolean => {
  const site = c.req.header("Sec-Fetch-Site");
  if (site !== undefined) return site === "same-origin";
  const origin = c.req.header("Origin");
  return origin !== undefined && origin === new URL(c.req.url).origin;
};

const unauthorized = (c: Context) =>
  errorResponse(new Unauthorized({ message: TOKEN_REQUIRED }), c);

/** Hono's bearer check, asking `authorize`; a refusal other than a bad token is thrown as is. */
const bearerFor = (scope: Scope): MiddlewareHandler<{ Bindings: AppEnv }> =>
  bearerAuth({
    realm: "dataspine",
    verifyToken: async (token, c) => {
      const auth = await authorize(settingsOf(c.env.VARS).http, token, scope);
      if (auth.ok) return true;
      if (auth.error._tag === "Unauthorized") return false;
      throw auth.error;
    },
    noAuthenticationHeader: { message: unauthorized },
    // A malformed header counts as a missing token: 401, not Hono's 400.
    invalidAuthenticationHeader: { message: unauthorized },
    invalidToken: { message: unauthorized },
  });

const BEARER = { read: bearerFor("read"), write: bearerFor("write") } as const;

/**
 * Requires `scope` (default: `read` for GET/HEAD, `write` otherwise) from
 * `Authorization: Bearer <token>`, or from the `dataspine_token` cookie when no header is
 * sent; a cookie on a mutating request must come from the same origin (CSRF).
 */
export const requireScope =
  (scope?: Scope): MiddlewareHandler<{ Bindings: AppEnv }> =>
  async (c, next) => {
    const safe = SAFE_METHODS.has(c.req.method);
    const needed = scope ?? (safe ? "read" : "write");
    const http = settingsOf(c.env.VARS).http;
    if (needed === "read" && http.publicReads) return next();
    const header = c.req.header("Authorization");
    if (header !== undefined) return BEARER[needed](c, next);
    const cookie = getCookie(c, TOKEN_COOKIE);
    if (cookie !== undefined && !safe && !sameOrigin(c)) {
      const message = "a request authenticated by cookie must come from this origin";
      throw new Forbidden({ message });
    }
    // No header: the cookie's token, or none (401, or 503 when the secret is unset).
    const auth = await authorize(http, cookie, needed);
    if (!auth.ok) throw auth.error;
    return next();
  };

/**
 * Whether the status page's own guard (`ui/session.ts`, same `authorize`) handles the path:
 * its answers are pages (a signed-out browser goes to the login form), not JSON.
 */
export const isStatusPagePath = (path: string): boolean =>
  path === "/ui" || path.startsWith("/ui/");

/**
 * The app-wide guard: `publicPaths` (the public GET routes of the route table: the health
 * probe, the API description, the status page's summary) are open to GET/HEAD, the status
 * page guards itself, everything else `requireScope()`.
 */
export const guard = (
  publicPaths: ReadonlySet<string>,
): MiddlewareHandler<{ Bindings: AppEnv }> => {
  const check = requireScope();
  return (c, next) =>
    ((c.req.method === "GET" || c.req.method === "HEAD") && publicPaths.has(c.req.path)) ||
    isStatusPagePath(c.req.path)
      ? next()
      : check(c, next);
};
