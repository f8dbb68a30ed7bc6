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
} from "../../core/backfill";
import { BackfillNotFound, BackfillUnavailable } from "../../core/backfill-errors";
import { describeUnknown } from "../../core/errors";
import { PIPELINES } from "../../domains/registry";
import { requireBearer } from "../auth";
import { backfillCoordinator, type CoordinatorReply } from "../backfill-coordinator";
import { routes, runEffect } from "../handler";
import { decodeJsonBody } from "./runs";

const BackfillBody = Schema.Struct({
  pipeline: Schema.String,
  start: Schema.String,
  end: Schema.String,
  params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  concurrency: Schema.optional(Schema.Int.pipe(Schema.between(1, MAX_BACKFILL_CONCURRENCY))),
});

/** Unwraps a coordinator reply; an RPC that threw or answered an error is a 503. */
const unwrap = async <A>(backfillId: string, call: () => Promise<CoordinatorReply<A>>) => {
  const answer = await call().catch(
    (cause: unknown): CoordinatorReply<A> => ({
      ok: false,
      error: { tag: "BackfillUnavailable", message: describeUnknown(cause) },
    }),
  );
  if (!answer.ok) {
    throw new BackfillUnavailable({ backfill_id: backfillId, message: answer.error.message });
  }
  return answer.value;
};

/** `POST /backfills` (bearer) and `GET /backfills/:id`. */
export const backfillRoutes = routes()
  .post("/backfills", requireBearer(), async (c) => {
    const body = await decodeJsonBody(
      c.req,
      BackfillBody,
      '{"pipeline","start","end","params"?,"concurrency"?}',
    );
    const plan = await runEffect(c.env, planBackfill(PIPELINES, body));
    const backfillId = newBackfillId(new Date());
    await unwrap(backfillId, () =>
      backfillCoordinator(c.env, backfillId).start({
        backfillId,
        plan,
        concurrency: body.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY,
      }),
    );
    return c.json({ backfill_id: backfillId, partitions: plan.partitions.length }, 202, {
      Location: `/backfills/${backfillId}`,
    });
  })
  .get("/backfills/:id", async (c) => {
    const id = c.req.param("id");
    const notFound = new BackfillNotFound({ backfill_id: id, message: `no backfill "${id}"` });
    // A malformed id never reaches a Durable Object (addressing one would create it).
    if (!isBackfillId(id)) throw notFound;
    const progress = await unwrap(id, () => backfillCoordinator(c.env, id).progress());
    if (!progress) throw notFound;
    return c.json(progress);
  });
