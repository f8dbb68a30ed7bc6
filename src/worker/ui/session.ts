/**
 * Who may see and do what on `/ui`, with the API's token semantics (`authorize` in
 * `../auth.ts`): pages need the read scope (a signed-out browser is sent to the login form),
 * actions the write scope, and an action authenticated by the cookie must come from this
 * origin. Answers are pages, not JSON.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { Hono } from "hono/tiny";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { statusOf } from "../../core/model/tagged-http-error";
import { type AppEnv, settingsOf } from "../app-env";
import { authorize, type Scope, sameOrigin, TOKEN_COOKIE } from "../auth";
import { problem, wantsFragment } from "./render";

/** Hono for the status page: the Worker's bindings and what the request may do. */
export type UiEnv = { Bindings: AppEnv; Variables: { scope: Scope | "public" } };

/** A new route group of the status page. */
export const uiRoutes = () => new Hono<UiEnv>();

/** A token presented with a request, and how. */
export interface PresentedToken {
  readonly token: string;
  readonly via: "header" | "cookie";
}

/** The bearer header's token, else the cookie's (the API's order). */
export const presentedToken = (c: Context): PresentedToken | undefined => {
  const header = /^Bearer\s+(.+)$/i.exec(c.req.header("Authorization") ?? "")?.[1];
  if (header) return { token: header, via: "header" };
  const cookie = getCookie(c, TOKEN_COOKIE);
  return cookie ? { token: cookie, via: "cookie" } : undefined;
};

/** Where to go after signing in or acting: only a path of the status page itself. */
export const safeBack = (target: string | undefined, fallback = "/ui"): string =>
  target?.startsWith("/ui") && !target.startsWith("//") && !target.includes("\\")
    ? target
    : fallback;

/** Requires `scope`; sets `c.var.scope` to what the request may do. */
export const requirePageScope =
  (scope: Scope): MiddlewareHandler<UiEnv> =>
  async (c, next) => {
    const presented = presentedToken(c);
    if (c.req.method !== "GET" && presented?.via === "cookie" && !sameOrigin(c)) {
      return problem(c, 403, "Refused", "Cross-origin request refused.", true);
    }
    const auth = await authorize(settingsOf(c.env.VARS).http, presented?.token, scope);
    if (auth.ok) {
      c.set("scope", auth.scope);
      return next();
    }
    switch (auth.error._tag) {
      case "AuthNotConfigured":
        return problem(c, 503, "Not configured", "No token is configured for this Worker.", false);
      case "Forbidden":
        return problem(c, 403, "Not allowed", "This needs the API (write) token.", true);
      default:
        if (c.req.method === "GET" && !wantsFragment(c)) {
          const url = new URL(c.req.url);
          const back = encodeURIComponent(`${url.pathname}${url.search}`);
          return c.redirect(`/ui/login?next=${back}`, 303);
        }
        return problem(c, 401, "Sign in first", "A valid token is required.", false);
    }
  };

/** Errors of status pages as pages, with the status each error class declares. */
export const uiError = (error: unknown, c: Context<UiEnv>) => {
  const status = statusOf(error) as ContentfulStatusCode;
  if (status >= 500) {
    console.error(JSON.stringify({ level: "ERROR", message: "ui failed", cause: String(error) }));
  }
  const message =
    status === 500 ? "Something went wrong." : error instanceof Error ? error.message : "";
  return problem(c, status, status === 404 ? "Not found" : "Cannot show this", message, true);
};
