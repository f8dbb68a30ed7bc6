/**
 * Dead letters: `GET /dead-letters?status=&limit=`, `GET /dead-letters/:id`, and
 * `POST /dead-letters/:id/retry` (bearer token), which re-runs the partition through its
 * actor and marks the dead letter retried when the run succeeds.
 */
import { Effect } from "effect";
import { getDeadLetter, listDeadLetters, retryDeadLetter } from "../../core/dead-letters";
import { partitionActor } from "../actors";
import { requireBearer } from "../auth";
import { routes, runEffect } from "../handler";
import { DeadLetterNotFound, InvalidRequest } from "../http-errors";
import { STATUS_OF_RUN } from "./runs";

const STATUSES = new Set(["open", "retried"]);

export const deadLetterRoutes = routes()
  .get("/dead-letters", async (c) => {
    const status = c.req.query("status");
    if (status !== undefined && !STATUSES.has(status)) {
      throw new InvalidRequest({ message: `status must be one of ${[...STATUSES].join(", ")}` });
    }
    const limit = Number(c.req.query("limit") ?? "100");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidRequest({ message: "limit must be an integer 1..1000" });
    }
    const deadLetters = await runEffect(
      c.env,
      listDeadLetters({ ...(status ? { status } : {}), limit }),
    );
    return c.json({ dead_letters: deadLetters });
  })
  .get("/dead-letters/:id", async (c) => {
    const found = await runEffect(c.env, getDeadLetter(c.req.param("id")));
    if (!found) throw new DeadLetterNotFound({ message: `no dead letter ${c.req.param("id")}` });
    return c.json(found);
  })
  .post("/dead-letters/:id/retry", requireBearer(), async (c) => {
    const id = c.req.param("id");
    const retried = await runEffect(
      c.env,
      retryDeadLetter(id, (run) =>
        Effect.promise(() => partitionActor(c.env, run.pipeline, run.partition).run(run)).pipe(
          Effect.map((response) => response.result),
        ),
      ),
    );
    if (!retried) throw new DeadLetterNotFound({ message: `no dead letter ${id}` });
    return c.json(retried, STATUS_OF_RUN[retried.run.status]);
  });
