/**
 * `POST /backfills` (plan, hand the plan to a new `BackfillCoordinator`, answer 202) and
 * `GET /backfills/:id` (the coordinator's progress).
 */
import { Schema } from "effect";
import {
  DEFAULT_BACKFILL_CONCURRENCY,
  isBackfillId,
  MAX_BACKFILL_CONCURRENCY,
  newBackfillId,
  planBackfill,
} from "../../core/backfill/backfill";
import { BackfillNotFound, BackfillUnavailable } from "../../core/backfill/errors";
import { PIPELINES } from "../../domains/registry";
import { routes, runEffect } from "../hono-effect";
import { unwrap } from "../replies";
import { MAX_TEXT, optional, Text } from "../request-schemas";
import { jsonBody, params } from "../validate";

const BackfillBody = Schema.Struct({
  pipeline: Text,
  start: Text,
  end: Text,
  params: optional(
    Schema.Record({ key: Schema.String.pipe(Schema.maxLength(MAX_TEXT)), value: Text }),
  ),
  concurrency: optional(Schema.Int.pipe(Schema.between(1, MAX_BACKFILL_CONCURRENCY))),
});

const unavailable = (backfillId: string) => (message: string) =>
  new BackfillUnavailable({ backfill_id: backfillId, message });

/** `POST /backfills` (write) and `GET /backfills/:id`. */
export const backfillRoutes = routes()
  .post(
    "/backfills",
    jsonBody(BackfillBody, '{"pipeline","start","end","params"?,"concurrency"?}'),
    async (c) => {
      const body = c.req.valid("json");
      const plan = await runEffect(c.env, planBackfill(PIPELINES, body));
      const backfillId = newBackfillId(new Date());
      const concurrency = body.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
      await unwrap(
        () => c.env.ACTORS.backfill(backfillId).start({ backfillId, plan, concurrency }),
        unavailable(backfillId),
      );
      return c.json({ backfill_id: backfillId, partitions: plan.partitions.length }, 202, {
        Location: `/backfills/${backfillId}`,
      });
    },
  )
  .get("/backfills/:id", params(Schema.Struct({ id: Text })), async (c) => {
    const { id } = c.req.valid("param");
    const notFound = new BackfillNotFound({ backfill_id: id, message: `no backfill "${id}"` });
    // A malformed id never reaches a Durable Object (addressing one would create it).
    if (!isBackfillId(id)) throw notFound;
    const progress = await unwrap(() => c.env.ACTORS.backfill(id).progress(), unavailable(id));
    if (!progress) throw notFound;
    return c.json(progress);
  });
