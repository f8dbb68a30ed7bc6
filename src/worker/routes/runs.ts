/**
 * `POST /runs`: run one partition through its actor.
 */
import { Schema } from "effect";
import type { RunStatus } from "../../core/run-result";
import { resolveRun } from "../../core/runner";
import { PIPELINES } from "../../domains/registry";
import { partitionActor } from "../actors";
import { routes, runEffect } from "../handler";
import { optional, Text } from "../request-schemas";
import { jsonBody } from "../validate";

const RunBody = Schema.Struct({
  pipeline: Text,
  partition: Text,
  batch_id: optional(Text),
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

export const runRoutes = routes().post(
  "/runs",
  jsonBody(RunBody, '{"pipeline","partition","batch_id"?}'),
  async (c) => {
    const body = c.req.valid("json");
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
  },
);
