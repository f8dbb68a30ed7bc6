/**
 * `GET /health` (is the database reachable?) and `GET /openapi.json` (the API described).
 */
import { sql } from "drizzle-orm";
import * as Cause from "effect/Cause";
import * as Exit from "effect/Exit";
import { dbTry } from "../../db/db";
import { describeUnknown } from "../../db/errors";
import { HEALTH, OPENAPI } from "../api/meta";
import { openApiDocument } from "../api/openapi";
import { handle, mount } from "../api/register";
import { runForRequest } from "../runtime";

export const metaRoutes = mount(
  handle(HEALTH)(async (c) => {
    const checkedAt = new Date().toISOString();
    const probe = await runForRequest(
      c.env,
      dbTry("health", (db) => db.run(sql`select 1`)),
    );
    return Exit.isSuccess(probe)
      ? { status: 200, body: { status: "ok", database: "ok", checked_at: checkedAt } }
      : {
          status: 503,
          body: {
            status: "degraded",
            database: "unreachable",
            message: describeUnknown(Cause.squash(probe.cause)),
            checked_at: checkedAt,
          },
        };
  }),
  handle(OPENAPI)(async () => ({ status: 200, body: openApiDocument() })),
);
