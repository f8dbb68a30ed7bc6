/**
 * `POST /replays` (plan, hand the plan to a new `ReplayCoordinator`, answer 202),
 * `GET /replays/:id` (its state and summary), `GET /replays/:id/output` (the canonical JSONL)
 * and `GET /partitions/:pipeline/:partition/diff?against=<capture_id>` (stored rows vs a
 * replay of the partition's source, field by field; read-only).
 */
import { Effect, Schema } from "effect";
import { describeUnknown } from "../../core/errors";
import { findCapture, latestCapture } from "../../core/manifest";
import { resolveRun } from "../../core/runner";
import { PIPELINES } from "../../domains/registry";
import { CaptureNotFound, ReplayNotFound, ReplayUnavailable } from "../../reconciliation/errors";
import { reconcilePartition } from "../../reconciliation/reconcile";
import {
  captureOutputHash,
  isReplayId,
  newReplayId,
  planReplay,
  replayable,
} from "../../reconciliation/replay";
import type { ReplayPartitionView } from "../../reconciliation/replay-slice";
import { requireBearer } from "../auth";
import type { Env } from "../env";
import { routes, runEffect } from "../handler";
import { PartitionNotFound } from "../http-errors";
import { type ReplayReply, type ReplayState, replayCoordinator } from "../replay-coordinator";
import { decodeJsonBody } from "./runs";

const ReplayBody = Schema.Struct({
  pipeline: Schema.String,
  start: Schema.String,
  end: Schema.String,
  params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** Reconcile each partition with its stored rows (default true). */
  reconcile: Schema.optional(Schema.Boolean),
});

/** Unwraps a coordinator reply; an RPC that threw or answered an error is a 503. */
const unwrap = async <A>(replayId: string, call: () => Promise<ReplayReply<A>>) => {
  const answer = await call().catch(
    (cause: unknown): ReplayReply<A> => ({
      ok: false,
      error: { tag: "ReplayUnavailable", message: describeUnknown(cause) },
    }),
  );
  if (!answer.ok) {
    throw new ReplayUnavailable({ replay_id: replayId, message: answer.error.message });
  }
  return answer.value;
};

/** The JSON of a replay's state: the summary first, then every partition so far. */
const view = ({ header, partitions }: ReplayState) => {
  const reconciled = partitions.flatMap((p) => (p.reconciliation ? [p] : []));
  const mismatched = reconciled.filter(
    (p) => p.reconciliation?.capture_id !== null && p.reconciliation?.clean === false,
  );
  return {
    replay_id: header.replay_id,
    status: header.status,
    pipeline: header.pipeline,
    start: header.start,
    end: header.end,
    params: header.params,
    partitions: header.partitions.length,
    replayed: partitions.length,
    records: header.records,
    sha256: header.sha256,
    duration_ms: header.duration_ms,
    created_at: header.created_at,
    finished_at: header.finished_at,
    failures: partitions
      .filter((p) => p.status === "failed")
      .map((p) => ({ partition: p.partition, error: p.error })),
    reconciliation: header.reconcile
      ? {
          partitions: reconciled.length,
          clean: reconciled.filter(
            (p) => p.reconciliation?.clean && p.reconciliation.capture_id !== null,
          ).length,
          not_captured: reconciled.filter((p) => p.reconciliation?.capture_id === null).length,
          mismatched: mismatched.map((p: ReplayPartitionView) => ({
            partition: p.partition,
            ...p.reconciliation,
          })),
        }
      : null,
    by_partition: partitions.map((p) => ({
      partition: p.partition,
      status: p.status,
      records: p.records,
      sha256: p.sha256,
      capture_id: p.capture_id,
      matches_capture: p.matches_capture,
    })),
  };
};

const stateOf = async (env: Env, id: string) => {
  const notFound = new ReplayNotFound({ replay_id: id, message: `no replay "${id}"` });
  // A malformed id never reaches a Durable Object (addressing one would create it).
  if (!isReplayId(id)) throw notFound;
  const state = await unwrap(id, () => replayCoordinator(env, id).state());
  if (!state) throw notFound;
  return state;
};

export const replayRoutes = routes()
  .post("/replays", requireBearer(), async (c) => {
    const body = await decodeJsonBody(
      c.req,
      ReplayBody,
      '{"pipeline","start","end","params"?,"reconcile"?}',
    );
    const plan = await runEffect(c.env, planReplay(PIPELINES, body));
    const replayId = newReplayId(new Date());
    await unwrap(replayId, () =>
      replayCoordinator(c.env, replayId).start({
        replayId,
        plan,
        reconcile: body.reconcile ?? true,
      }),
    );
    return c.json({ replay_id: replayId, partitions: plan.partitions.length }, 202, {
      Location: `/replays/${replayId}`,
    });
  })
  .get("/replays/:id", async (c) => c.json(view(await stateOf(c.env, c.req.param("id")))))
  .get("/replays/:id/output", async (c) => {
    const id = c.req.param("id");
    const { header } = await stateOf(c.env, id);
    const stub = replayCoordinator(c.env, id);
    const encoder = new TextEncoder();
    let index = 0;
    // One partition per pull: the response streams however long the range is.
    const body = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        // Partitions without records add nothing; a pull must enqueue or close to go on.
        while (index < header.next) {
          const text = await unwrap(id, () => stub.output(index));
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
  .get("/partitions/:pipeline/:partition/diff", async (c) => {
    const against = c.req.query("against");
    const result = await runEffect(
      c.env,
      Effect.gen(function* () {
        const { pipeline, partitionKey } = yield* resolveRun(
          PIPELINES,
          c.req.param("pipeline"),
          c.req.param("partition"),
        );
        const target = yield* replayable(PIPELINES, pipeline.name);
        const capture = against
          ? yield* findCapture(against)
          : yield* latestCapture(pipeline.domain, pipeline.stage, partitionKey);
        if (!capture) {
          return yield* against
            ? new CaptureNotFound({ capture_id: against, message: `no capture "${against}"` })
            : new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` });
        }
        if (
          capture.partition_key !== partitionKey ||
          !capture.capture_id.startsWith(`${pipeline.domain}.${pipeline.stage}.`)
        ) {
          return yield* new CaptureNotFound({
            capture_id: capture.capture_id,
            message: `${capture.capture_id} is not a capture of ${pipeline.name} ${partitionKey}`,
          });
        }
        const reconciled = yield* reconcilePartition(target, partitionKey, { record: false });
        const captured = captureOutputHash(capture.metadata);
        return {
          pipeline: pipeline.name,
          partition: partitionKey,
          against: {
            capture_id: capture.capture_id,
            captured_at: capture.captured_at,
            status: capture.status,
            output_sha256: captured ?? null,
            last_replay: capture.metadata.replay ?? null,
          },
          stored: reconciled.stored,
          replay: reconciled.replay,
          clean: reconciled.clean,
          // Did the rows change since that capture, and does the source still give its output?
          stored_matches_capture:
            captured === undefined ? null : captured === reconciled.stored.sha256,
          replay_matches_capture:
            captured === undefined ? null : captured === reconciled.replay.sha256,
          added: reconciled.diff.added,
          removed: reconciled.diff.removed,
          modified: reconciled.diff.modified,
          summary: reconciled.diff.summary,
        };
      }),
    );
    return c.json(result);
  });
