/**
 * `POST /replays` (plan, hand the plan to a new `ReplayCoordinator`, answer 202),
 * `GET /replays/:id` (its state and summary), `GET /replays/:id/output` (the canonical JSONL)
 * and `GET /partitions/:pipeline/:partition/diff?against=<capture_id>` (stored rows vs a
 * replay of the partition's source, field by field; read-only, but it fetches the source
 * with the operator's key, so it needs the write scope).
 */
import { Schema } from "effect";
import { PIPELINES } from "../../domains/registry";
import { ReplayNotFound, ReplayUnavailable } from "../../reconciliation/errors";
import { diffPartition } from "../../reconciliation/partition-diff";
import { isReplayId, newReplayId, planReplay } from "../../reconciliation/replay";
import { replayView } from "../../reconciliation/replay-view";
import type { AppEnv } from "../app-env";
import { requireScope } from "../auth";
import { routes, runEffect } from "../hono-effect";
import { unwrap } from "../replies";
import { MAX_TEXT, optional, Text } from "../request-schemas";
import { jsonBody, params, query } from "../validate";
import { PartitionParams } from "./partitions";

const ReplayBody = Schema.Struct({
  pipeline: Text,
  start: Text,
  end: Text,
  params: optional(
    Schema.Record({ key: Schema.String.pipe(Schema.maxLength(MAX_TEXT)), value: Text }),
  ),
  /** Reconcile each partition with its stored rows (default true). */
  reconcile: optional(Schema.Boolean),
});
const IdParams = Schema.Struct({ id: Text });

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

export const replayRoutes = routes()
  .post(
    "/replays",
    jsonBody(ReplayBody, '{"pipeline","start","end","params"?,"reconcile"?}'),
    async (c) => {
      const body = c.req.valid("json");
      const plan = await runEffect(c.env, planReplay(PIPELINES, body));
      const replayId = newReplayId(new Date());
      const reconcile = body.reconcile ?? true;
      await unwrap(
        () => c.env.ACTORS.replay(replayId).start({ replayId, plan, reconcile }),
        unavailable(replayId),
      );
      return c.json({ replay_id: replayId, partitions: plan.partitions.length }, 202, {
        Location: `/replays/${replayId}`,
      });
    },
  )
  .get("/replays/:id", params(IdParams), async (c) => {
    const { header, partitions } = await stateOf(c.env, c.req.valid("param").id);
    return c.json(replayView(header, partitions));
  })
  .get("/replays/:id/output", params(IdParams), async (c) => {
    const { id } = c.req.valid("param");
    const { header } = await stateOf(c.env, id);
    const stub = c.env.ACTORS.replay(id);
    const encoder = new TextEncoder();
    let index = 0;
    // One partition per pull: the response streams however long the range is.
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        // Partitions without records add nothing; a pull must enqueue or close to go on.
        while (index < header.next) {
          const text = await unwrap(() => stub.output(index), unavailable(id));
          index += 1;
          if (text.length > 0) return controller.enqueue(encoder.encode(text));
        }
        controller.close();
      },
    });
    return new Response(body, {
      headers: {
        "content-type": "application/x-ndjson; charset=utf-8",
        "x-replay-status": header.status,
        ...(header.sha256 ? { "x-replay-sha256": header.sha256 } : {}),
      },
    });
  })
  .get(
    "/partitions/:pipeline/:partition/diff",
    requireScope("write"),
    params(PartitionParams),
    query(Schema.Struct({ against: optional(Text) })),
    async (c) => {
      const { pipeline, partition } = c.req.valid("param");
      const { against } = c.req.valid("query");
      return c.json(await runEffect(c.env, diffPartition(PIPELINES, pipeline, partition, against)));
    },
  );
