/**
 * `GET /health`: is the database reachable?
 */
import { sql } from "drizzle-orm";
import { Effect, Either } from "effect";
import { dbTry } from "../../db/db";
import { routes } from "../handler";
import { runtimeFor } from "../runtime";

export const healthRoutes = routes().get("/health", async (c) => {
  const checkedAt = new Date().toISOString();
  const probe = await runtimeFor(c.env).runPromise(
    dbTry("health", (db) => db.run(sql`select 1`)).pipe(Effect.either),
  );
  return Either.isRight(probe)
    ? c.json({ status: "ok", database: "ok", checked_at: checkedAt })
    : c.json(
        {
          status: "degraded",
          database: "unreachable",
          message: probe.left.message,
          checked_at: checkedAt,
        },
        503,
      );
});
