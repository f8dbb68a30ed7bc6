/**
 * Replays (`POST /replays`, `GET /replays/:id`, `GET /replays/:id/output`) through a
 * `ReplayCoordinator`, and `GET /partitions/:pipeline/:partition/diff`.
 */

import { unwrap } from "../../actors/reply";
import { PIPELINES } from "../../domains/registry";
import { ReplayNotFound, ReplayUnavailable } from "../../reconciliation/errors";
import { diffPartition } from "../../reconciliation/partition-diff";
import { isReplayId, newReplayId, planReplay } from "../../reconciliation/replay";
import { replayView } from "../../reconciliation/replay-view";
import { handle, mount } from "../api/register";
import { DIFF_PARTITION, GET_REPLAY, REPLAY_OUTPUT, START_REPLAY } from "../api/replays";
import type { AppEnv } from "../app-env";

const unavailable = (replayId: string) => (message: string) =>
  new ReplayUnavailable({ replay_id: replayId, message });

const stateOf = async (env: AppEnv, id: string) => {
  const notFound = new ReplayNotFound({ replay_id: id, message: `no replay "${id}"` });
  // A malformed id never reaches a Durable Object (addressing one would create it).
  if (!isReplayId(id)) throw notFound;
  const state = await unwrap(() => env.ACTORS.replay(id).state(), unavailable(id));
  if (!state) throw notFound;
  return state;
};

/** The JSONL of each partition of a replay, one partition per pull. */
const outputStream = (env: AppEnv, id: string, partitions: number) => {
  const stub = env.ACTORS.replay(id);
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      // Partitions without records add nothing; a pull must enqueue or close to go on.
      while (index < partitions) {
        const text = await unwrap(() => stub.output(index), unavailable(id));
        index += 1;
        if (text.length > 0) return controller.enqueue(encoder.encode(text));
      }
      controller.close();
    },
  });
};

export const replayRoutes = mount(
  handle(START_REPLAY)(async (c, { body }, { run }) => {
    const plan = await run(planReplay(PIPELINES, body));
    const replayId = newReplayId(new Date());
    const reconcile = body.reconcile ?? true;
    await unwrap(
      () => c.env.ACTORS.replay(replayId).start({ replayId, plan, reconcile }),
      unavailable(replayId),
    );
    return {
      status: 202,
      body: { replay_id: replayId, partitions: plan.partitions.length },
      headers: { Location: `/replays/${replayId}` },
    };
  }),
  handle(GET_REPLAY)(async (c, { params }) => {
    const { header, partitions } = await stateOf(c.env, params.id);
    return { status: 200, body: replayView(header, partitions) };
  }),
  handle(REPLAY_OUTPUT)(async (c, { params: { id } }) => {
    const { header } = await stateOf(c.env, id);
    const response = new Response(outputStream(c.env, id, header.next), {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "x-replay-status": header.status,
        ...(header.sha256 ? { "x-replay-sha256": header.sha256 } : {}),
      },
    });
    return { response };
  }),
  handle(DIFF_PARTITION)(async (_c, { params, query }, { run }) => {
    const diff = await run(
      diffPartition(PIPELINES, params.pipeline, params.partition, query.against),
    );
    return { status: 200, body: diff };
  }),
);
