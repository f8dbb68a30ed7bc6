/**
 * The HTTP API (Hono). Handlers only decode, call the registry / actors / stores, and encode.
 *
 *   GET  /health                              database reachable?
 *   POST /runs                                run one partition (bearer token)
 *   GET  /partitions?pipeline=…&limit=…       partitions of a pipeline, from core_manifest
 *   GET  /partitions/:pipeline/:partition     the partition actor's state and history
 */
import { sql } from "drizzle-orm";
import { Cause, Effect, Either, Exit, Schema } from "effect";
import { Hono } from "hono";
import { UnknownPipeline } from "../core/errors";
import { listPartitions } from "../core/manifest";
import type { RunStatus } from "../core/run-result";
import { resolveRun } from "../core/runner";
import { dbTry } from "../db/db";
import { PIPELINES } from "../domains/registry";
import { partitionActor } from "./actors";
import { requireBearer } from "./auth";
import type { Env } from "./env";
import { errorResponse, InvalidRequest, PartitionNotFound, RouteNotFound } from "./http-errors";
import { runtimeFor, type WorkerServices } from "./runtime";

const RunBody = Schema.Struct({
  pipeline: Schema.String,
  partition: Schema.String,
  batch_id: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
});

/** HTTP status of a run result: done 200, still going 202, failed 502 (upstream or database). */
const STATUS_OF_RUN: Readonly<Record<RunStatus, 200 | 202 | 502>> = {
  complete: 200,
  no_data_expected: 200,
  pending: 202,
  running: 202,
  retrying: 202,
  failed: 502,
};

/** Runs an effect on the isolate's runtime; a typed failure is thrown to `onError`. */
const run = async <A, E>(env: Env, effect: Effect.Effect<A, E, WorkerServices>): Promise<A> => {
  const exit = await runtimeFor(env).runPromiseExit(effect);
  if (Exit.isSuccess(exit)) return exit.value;
  throw Cause.squash(exit.cause);
};

export const app = new Hono<{ Bindings: Env }>();

app.onError((error, c) => errorResponse(error, c));
app.notFound((c) =>
  errorResponse(new RouteNotFound({ message: `no route for ${c.req.method} ${c.req.path}` }), c),
);

app.get("/health", async (c) => {
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

app.post("/runs", requireBearer(), async (c) => {
  const body = await c.req.json().catch(() => {
    throw new InvalidRequest({ message: "body must be JSON" });
  });
  const request = Schema.decodeUnknownEither(RunBody)(body);
  if (Either.isLeft(request)) {
    throw new InvalidRequest({
      message: `body must be {"pipeline","partition"}: ${request.left.message}`,
    });
  }
  const { pipeline, partitionKey } = await run(
    c.env,
    resolveRun(PIPELINES, request.right.pipeline, request.right.partition),
  );
  const response = await partitionActor(c.env, pipeline.name, partitionKey).run({
    pipeline: pipeline.name,
    partition: partitionKey,
    trigger: "http",
    ...(request.right.batch_id ? { batchId: request.right.batch_id } : {}),
  });
  return c.json(response.result, STATUS_OF_RUN[response.result.status]);
});

app.get("/partitions", async (c) => {
  const name = c.req.query("pipeline");
  if (!name) throw new InvalidRequest({ message: "query parameter pipeline is required" });
  const limitText = c.req.query("limit") ?? "100";
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new InvalidRequest({ message: `limit must be an integer 1..1000, got ${limitText}` });
  }
  const pipeline = PIPELINES.get(name);
  if (!pipeline) {
    throw new UnknownPipeline({ pipeline: name, message: `unknown pipeline "${name}"` });
  }
  const partitions = await run(c.env, listPartitions(pipeline.domain, pipeline.stage, limit));
  return c.json({ pipeline: pipeline.name, partitions });
});

app.get("/partitions/:pipeline/:partition", async (c) => {
  const { pipeline, partitionKey } = await run(
    c.env,
    resolveRun(PIPELINES, c.req.param("pipeline"), c.req.param("partition")),
  );
  const status = await partitionActor(c.env, pipeline.name, partitionKey).status();
  if (!status) {
    throw new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` });
  }
  return c.json(status);
});
