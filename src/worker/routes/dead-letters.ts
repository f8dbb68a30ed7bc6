/**
 * Dead letters: `GET /dead-letters?status=&limit=`, `GET /dead-letters/:id`, and
 * `POST /dead-letters/:id/retry` (write), which re-runs the partition through its actor and
 * marks the dead letter retried when the run succeeds.
 */
import { Effect, Schema } from "effect";
import { getDeadLetter, listDeadLetters, retryDeadLetter } from "../../core/store/dead-letters";
import { routes, runEffect } from "../hono-effect";
import { DeadLetterNotFound } from "../http-errors";
import { Limit, OneOf, optional, Text } from "../request-schemas";
import { params, query } from "../validate";
import { statusOfRun } from "./runs";

const ListQuery = Schema.Struct({
  status: optional(OneOf(["open", "retried"])),
  limit: Limit(1000, 100),
});
const IdParams = Schema.Struct({ id: Text });

export const deadLetterRoutes = routes()
  .get("/dead-letters", query(ListQuery), async (c) => {
    const { status, limit } = c.req.valid("query");
    const deadLetters = await runEffect(
      c.env,
      listDeadLetters({ ...(status ? { status } : {}), limit }),
    );
    return c.json({ dead_letters: deadLetters });
  })
  .get("/dead-letters/:id", params(IdParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await runEffect(c.env, getDeadLetter(id));
    if (!found) throw new DeadLetterNotFound({ message: `no dead letter ${id}` });
    return c.json(found);
  })
  .post("/dead-letters/:id/retry", params(IdParams), async (c) => {
    const { id } = c.req.valid("param");
    const retried = await runEffect(
      c.env,
      retryDeadLetter(id, (run) =>
        Effect.promise(() => c.env.ACTORS.partition(run.pipeline, run.partition).run(run)).pipe(
          Effect.map((response) => response.result),
        ),
      ),
    );
    if (!retried) throw new DeadLetterNotFound({ message: `no dead letter ${id}` });
    return c.json(retried, statusOfRun(retried.run));
  });
