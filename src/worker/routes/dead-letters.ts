/**
 * Dead letters: `GET /dead-letters?status=&limit=`, `GET /dead-letters/:id`, and
 * `POST /dead-letters/:id/retry` (write), which re-runs the partition through its actor and
 * marks the dead letter retried when the run succeeds.
 */
import * as Effect from "effect/Effect";
import { getDeadLetter, listDeadLetters, retryDeadLetter } from "../../core/store/dead-letters";
import { GET_DEAD_LETTER, LIST_DEAD_LETTERS, RETRY_DEAD_LETTER } from "../api/dead-letters";
import { handle, mount } from "../api/register";
import { DeadLetterNotFound } from "../http-errors";
import { statusOfRun } from "./runs";

export const deadLetterRoutes = mount(
  handle(LIST_DEAD_LETTERS)(async (_c, { query: { status, limit } }, { run }) => {
    const deadLetters = await run(listDeadLetters({ ...(status ? { status } : {}), limit }));
    return { status: 200, body: { dead_letters: deadLetters } };
  }),
  handle(GET_DEAD_LETTER)(async (_c, { params: { id } }, { run, fail }) => {
    const found = await run(getDeadLetter(id));
    if (!found) return fail(new DeadLetterNotFound({ message: `no dead letter ${id}` }));
    return { status: 200, body: found };
  }),
  handle(RETRY_DEAD_LETTER)(async (c, { params: { id } }, { run, fail }) => {
    const retried = await run(
      retryDeadLetter(id, (request) =>
        Effect.promise(() =>
          c.env.ACTORS.partition(request.pipeline, request.partition).run(request),
        ).pipe(Effect.map((response) => response.result)),
      ),
    );
    if (!retried) return fail(new DeadLetterNotFound({ message: `no dead letter ${id}` }));
    return { status: statusOfRun(retried.run), body: retried };
  }),
);
