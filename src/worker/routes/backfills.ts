/**
 * `POST /backfills` (plan, hand the plan to a new `BackfillCoordinator`, answer 202) and
 * `GET /backfills/:id` (the coordinator's progress).
 */

import { unwrap } from "../../actors/reply";
import {
  DEFAULT_BACKFILL_CONCURRENCY,
  isBackfillId,
  newBackfillId,
  planBackfill,
} from "../../core/backfill/backfill";
import { BackfillNotFound, BackfillUnavailable } from "../../core/backfill/errors";
import { PIPELINES } from "../../domains/registry";
import { handle, mount } from "../api/register";
import { GET_BACKFILL, START_BACKFILL } from "../api/runs";

const unavailable = (backfillId: string) => (message: string) =>
  new BackfillUnavailable({ backfill_id: backfillId, message });

export const backfillRoutes = mount(
  handle(START_BACKFILL)(async (c, { body }, { run }) => {
    const plan = await run(planBackfill(PIPELINES, body));
    const backfillId = newBackfillId(new Date());
    const concurrency = body.concurrency ?? DEFAULT_BACKFILL_CONCURRENCY;
    await unwrap(
      () => c.env.ACTORS.backfill(backfillId).start({ backfillId, plan, concurrency }),
      unavailable(backfillId),
    );
    return {
      status: 202,
      body: { backfill_id: backfillId, partitions: plan.partitions.length },
      headers: { Location: `/backfills/${backfillId}` },
    };
  }),
  handle(GET_BACKFILL)(async (c, { params: { id } }, { fail }) => {
    const notFound = new BackfillNotFound({ backfill_id: id, message: `no backfill "${id}"` });
    // A malformed id never reaches a Durable Object (addressing one would create it).
    if (!isBackfillId(id)) return fail(notFound);
    const progress = await unwrap(() => c.env.ACTORS.backfill(id).progress(), unavailable(id));
    if (!progress) return fail(notFound);
    return { status: 200, body: progress };
  }),
);
