/**
 * Tokens of the status page: `DATASPINE_API_TOKEN` grants write (and read),
 * `DATASPINE_READ_TOKEN` read only. A request carries one as `Authorization: Bearer …` or as
 * the `dataspine_token` cookie the login form sets (HttpOnly, SameSite=Strict); a mutation
 * authenticated by the cookie must also come from this origin.
 */
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import { constantTimeEqual } from "../../core/hash";
import type { Env } from "../env";

/** What a token allows. */
export type Scope = "read" | "write";

/** The cookie that carries a token for the browser. */
export const TOKEN_COOKIE = "dataspine_token";

/** A token presented with a request, and how. */
export interface PresentedToken {
  readonly token: string;
  readonly via: "header" | "cookie";
}

/** The bearer header's token, else the cookie's. */
export const presentedToken = (c: Context): PresentedToken | undefined => {
  const header = /^Bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  if (header) return { token: header, via: "header" };
  const cookie = getCookie(c, TOKEN_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : undefined;
};

/** The widest scope `token` grants (compared in constant time), if any. */
export const scopeOf = async (env: Env, token: string): Promise<Scope | undefined> => {
  if (env.DATASPINE_API_TOKEN && (await constantTimeEqual(token, env.DATASPINE_API_TOKEN))) {
    return "write";
  }
  if (env.DATASPINE_READ_TOKEN && (await constantTimeEqual(token, env.DATASPINE_READ_TOKEN))) {
    return "read";
  }
  return undefined;
};

/** Whether `token` allows `scope` (write implies read). */
export const authorize = async (env: Env, token: string, scope: Scope): Promise<boolean> => {
  const granted = await scopeOf(env, token);
  return granted === "write" || (granted === "read" && scope === "read");
};

/**
 * Whether the request comes from a page of this origin: its `Origin` header is ours, or,
 * without one, the browser says `Sec-Fetch-Site: same-origin`.
 */
export const isSameOrigin = (c: Context): boolean => {
  const origin = c.req.header("Origin");
  if (origin !== undefined) return origin === new URL(c.req.url).origin;
  return c.req.header("Sec-Fetch-Site") === "same-origin";
};

/** Whether any token is configured at all (without one the pages stay closed). */
export const authConfigured = (env: Env): boolean =>
  Boolean(env.DATASPINE_API_TOKEN || env.DATASPINE_READ_TOKEN);
