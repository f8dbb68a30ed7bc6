/**
 * `GET /health`: is the database reachable?
 */
import { sql } from "drizzle-orm";
import { Cause, Exit } from "effect";
import { dbTry } from "../../db/db";
import { describeUnknown } from "../../db/errors";
import { routes } from "../hono-effect";
import { runForRequest } from "../runtime";

export const healthRoutes = routes().get("/health", async (c) => {
  const checkedAt = new Date().toISOString();
  const probe = await runForRequest(
    c.env,
    dbTry("health", (db) => db.run(sql`select 1`)),
  );
  return Exit.isSuccess(probe)
    ? c.json({ status: "ok", database: "ok", checked_at: checkedAt })
    : c.json(
        {
          status: "degraded",
          database: "unreachable",
          message: describeUnknown(Cause.squash(probe.cause)),
          checked_at: checkedAt,
        },
        503,
      );
});
