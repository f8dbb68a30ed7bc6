/**
 * Who may see and do what on `/ui`: pages need the read scope (a signed-out browser is sent
 * to the login form), actions the write scope, and an action authenticated by the cookie
 * must come from this origin.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { authConfigured, isSameOrigin, presentedToken, type Scope, scopeOf } from "./auth";
import { problem, wantsFragment } from "./render";

/** Hono for the status page: the Worker's bindings and the request's scope. */
export type UiEnv = { Bindings: Env; Variables: { scope: Scope } };

/** A new route group of the status page. */
export const uiRoutes = () => new Hono<UiEnv>();

/** Where to go after signing in or acting: only a path of the status page itself. */
export const safeBack = (target: string | undefined, fallback = "/ui"): string =>
  target?.startsWith("/ui") && !target.startsWith("//") && !target.includes("\\")
    ? target
    : fallback;

/** Requires `scope`; sets `c.var.scope` to what the token grants. */
export const requireScope =
  (scope: Scope): MiddlewareHandler<UiEnv> =>
  async (c, next) => {
    if (!authConfigured(c.env)) {
      return problem(c, 503, "Not configured", "No token is configured for this Worker.", false);
    }
    const presented = presentedToken(c);
    const granted = presented ? await scopeOf(c.env, presented.token) : undefined;
    if (!granted) {
      if (c.req.method === "GET" && !wantsFragment(c)) {
        const url = new URL(c.req.url);
        const next = encodeURIComponent(`${url.pathname}${url.search}`);
        return c.redirect(`/ui/login?next=${next}`, 303);
      }
      return problem(c, 401, "Sign in first", "A valid token is required.", false);
    }
    if (scope === "write" && granted !== "write") {
      return problem(c, 403, "Not allowed", "This needs the API (write) token.", true);
    }
    if (c.req.method !== "GET" && presented?.via === "cookie" && !isSameOrigin(c)) {
      return problem(c, 403, "Refused", "Cross-origin request refused.", true);
    }
    c.set("scope", granted);
    await next();
  };

const STATUS_BY_TAG: Readonly<Record<string, 400 | 404 | 503>> = {
  InvalidRequest: 400,
  InvalidPartitionKey: 400,
  UnknownPipeline: 404,
  DatabaseError: 503,
};

/** Errors of status pages as pages (the JSON API keeps its own `errorResponse`). */
export const uiError = (error: unknown, c: Context<UiEnv>) => {
  const tag =
    typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "";
  const status = STATUS_BY_TAG[tag] ?? 500;
  if (status === 500) {
    console.error(
      JSON.stringify({ level: "ERROR", message: "ui unhandled", cause: String(error) }),
    );
  }
  const message =
    status === 500 ? "Something went wrong." : error instanceof Error ? error.message : tag;
  return problem(c, status, status === 404 ? "Not found" : "Cannot show this", message, true);
};
