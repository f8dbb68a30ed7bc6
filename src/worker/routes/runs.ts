/**
 * `POST /runs`: run one partition through its actor.
 */
import { Either, Schema } from "effect";
import type { RunStatus } from "../../core/run-result";
import { resolveRun } from "../../core/runner";
import { PIPELINES } from "../../domains/registry";
import { partitionActor } from "../actors";
import { requireBearer } from "../auth";
import { routes, runEffect } from "../handler";
import { InvalidRequest } from "../http-errors";

const RunBody = Schema.Struct({
  pipeline: Schema.String,
  partition: Schema.String,
  batch_id: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
});

/** HTTP status of a run result: done 200, still going 202, failed 502 (upstream or database). */
export const STATUS_OF_RUN: Readonly<Record<RunStatus, 200 | 202 | 502>> = {
  complete: 200,
  no_data_expected: 200,
  pending: 202,
  running: 202,
  retrying: 202,
  failed: 502,
};

/** Reads and decodes a JSON body, or throws `InvalidRequest`. */
export const decodeJsonBody = async <A, I>(
  request: { json: () => Promise<unknown> },
  schema: Schema.Schema<A, I>,
  shape: string,
): Promise<A> => {
  const body = await request.json().catch(() => {
    throw new InvalidRequest({ message: "body must be JSON" });
  });
  const decoded = Schema.decodeUnknownEither(schema)(body);
  if (Either.isLeft(decoded)) {
    throw new InvalidRequest({ message: `body must be ${shape}: ${decoded.left.message}` });
  }
  return decoded.right;
};

export const runRoutes = routes().post("/runs", requireBearer(), async (c) => {
  const body = await decodeJsonBody(c.req, RunBody, '{"pipeline","partition"}');
  const { pipeline, partitionKey } = await runEffect(
    c.env,
    resolveRun(PIPELINES, body.pipeline, body.partition),
  );
  const response = await partitionActor(c.env, pipeline.name, partitionKey).run({
    pipeline: pipeline.name,
    partition: partitionKey,
    trigger: "http",
    ...(body.batch_id ? { batchId: body.batch_id } : {}),
  });
  return c.json(response.result, STATUS_OF_RUN[response.result.status]);
});
