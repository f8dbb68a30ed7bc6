/**
 * The status page's forms: sign in / out (`/ui/login`, `/ui/logout`), resolve an anomaly
 * and retry a dead letter (write token). Each form POSTs and is redirected back (303), so
 * they work without script and a reload never repeats them.
 */

import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { deleteCookie, setCookie } from "hono/cookie";
import { resolveAnomaly } from "../../core/store/anomalies";
import { retryDeadLetter } from "../../core/store/dead-letters";
import {
  UI_LOGIN,
  UI_LOGIN_FORM,
  UI_LOGOUT,
  UI_RESOLVE_ANOMALY,
  UI_RETRY_DEAD_LETTER,
} from "../api/pages";
import { settingsOf } from "../app-env";
import { authorize, sameOrigin, TOKEN_COOKIE } from "../auth";
import { runEffect } from "../hono-effect";
import { problem, staticPage } from "../ui/render";
import { requirePageScope, safeBack, uiError, uiRoutes } from "../ui/session";
import { Login } from "../ui/views/login";

/** How long the sign-in cookie lasts: a working day. */
const COOKIE_MAX_AGE_S = 12 * 60 * 60;

const formText = (body: Record<string, unknown>, name: string) => {
  const value = body[name];
  return typeof value === "string" ? value : undefined;
};

/** `back` with `notice=<code>` (replacing an earlier notice). */
const withNotice = (back: string, code: string) => {
  const url = new URL(back, "http://ui.invalid");
  url.searchParams.set("notice", code);
  return `${url.pathname}${url.search}`;
};

export const uiActionRoutes = uiRoutes()
  .onError(uiError)
  .on(UI_LOGIN_FORM.method, UI_LOGIN_FORM.path, (c) =>
    staticPage(c, {
      title: "Sign in",
      signedIn: false,
      body: <Login next={safeBack(c.req.query("next"))} />,
    }),
  )
  .on(UI_LOGIN.method, UI_LOGIN.path, async (c) => {
    // A login form posted from another site could sign the browser in as someone else.
    if (!sameOrigin(c)) return problem(c, 403, "Refused", "Cross-origin sign-in refused.", false);
    const body = await c.req.parseBody();
    const token = formText(body, "token")?.trim() ?? "";
    const next = safeBack(formText(body, "next"));
    const auth = await authorize(
      settingsOf(c.env.VARS).http,
      token === "" ? undefined : token,
      "read",
    );
    if (!auth.ok && auth.error._tag === "AuthNotConfigured") {
      return problem(c, 503, "Not configured", "No token is configured for this Worker.", false);
    }
    // With public reads on, any text "authorizes" reading: only a real token signs in.
    if (!auth.ok || auth.scope === "public") {
      return staticPage(c, {
        title: "Sign in",
        signedIn: false,
        status: 401,
        body: <Login next={next} error="That token is not valid here." />,
      });
    }
    setCookie(c, TOKEN_COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      maxAge: COOKIE_MAX_AGE_S,
    });
    return c.redirect(next, 303);
  })
  .on(UI_LOGOUT.method, UI_LOGOUT.path, (c) => {
    if (!sameOrigin(c)) return problem(c, 403, "Refused", "Cross-origin request refused.", false);
    deleteCookie(c, TOKEN_COOKIE, { path: "/" });
    return c.redirect("/", 303);
  })
  .on(UI_RESOLVE_ANOMALY.method, UI_RESOLVE_ANOMALY.path, requirePageScope("write"), async (c) => {
    const id = c.req.param("id");
    const back = safeBack(formText(await c.req.parseBody(), "back"), "/ui/anomalies");
    const resolved = await runEffect(
      c.env,
      Effect.flatMap(Clock.currentTimeMillis, (ms) =>
        resolveAnomaly(id, new Date(ms).toISOString()),
      ),
    );
    if (!resolved) return problem(c, 404, "Not found", `No anomaly ${id}.`, true);
    return c.redirect(withNotice(back, "resolved"), 303);
  })
  .on(
    UI_RETRY_DEAD_LETTER.method,
    UI_RETRY_DEAD_LETTER.path,
    requirePageScope("write"),
    async (c) => {
      const id = c.req.param("id");
      const back = safeBack(formText(await c.req.parseBody(), "back"), "/ui/dead-letters");
      const retried = await runEffect(
        c.env,
        retryDeadLetter(id, (run) =>
          Effect.promise(() => c.env.ACTORS.partition(run.pipeline, run.partition).run(run)).pipe(
            Effect.map((response) => response.result),
          ),
        ),
      );
      if (!retried) return problem(c, 404, "Not found", `No dead letter ${id}.`, true);
      const ok = retried.dead_letter?.status === "retried";
      return c.redirect(withNotice(back, ok ? "retried" : "retry_failed"), 303);
    },
  );
