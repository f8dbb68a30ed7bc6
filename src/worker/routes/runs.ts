/**
 * `POST /runs`: run one partition through its actor.
 */
import * as Effect from "effect/Effect";
import type { RunResult, RunStatus } from "../../core/model/run-result";
import { RemoteFailure } from "../../core/model/tagged-http-error";
import { refuseFuturePartition } from "../../core/pipeline/partition-time";
import { resolveRun } from "../../core/pipeline/runner";
import { PIPELINES } from "../../domains/registry";
import { handle, mount } from "../api/register";
import { RUN } from "../api/runs";

/**
 * HTTP status of a run result: done (or skipped by its pipeline's gate) 200, still going
 * 202, failed 502 (upstream or database); `statusOfRun` answers 422 for a failed quality gate.
 */
export const STATUS_OF_RUN: Readonly<Record<RunStatus, 200 | 202 | 502>> = {
  complete: 200,
  no_data_expected: 200,
  skipped: 200,
  pending: 202,
  running: 202,
  retrying: 202,
  failed: 502,
};

/** The HTTP status of one run result: 422 when its data failed the quality gate. */
export const statusOfRun = (result: RunResult) =>
  result.error?.tag === "QualityGateFailed" ? 422 : STATUS_OF_RUN[result.status];

export const runRoutes = mount(
  handle(RUN)(async (c, { body }, { run }) => {
    const { pipeline, partitionKey } = await run(
      resolveRun(PIPELINES, body.pipeline, body.partition).pipe(
        Effect.tap((r) =>
          refuseFuturePartition(
            r.pipeline.name,
            r.partitionKey,
            r.pipeline.partitionDate(r.partitionKey),
          ),
        ),
      ),
    );
    const response = await c.env.ACTORS.partition(pipeline.name, partitionKey).run({
      pipeline: pipeline.name,
      partition: partitionKey,
      trigger: "http",
      ...(body.batch_id ? { batchId: body.batch_id } : {}),
    });
    // Refused inside the actor (dependencies not ready): the error's own status, as at the route.
    if (response.refused) throw new RemoteFailure(response.refused);
    return { status: statusOfRun(response.result), body: response.result };
  }),
);
