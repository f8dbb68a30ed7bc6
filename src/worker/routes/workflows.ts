/**
 * Workflows over HTTP:
 *
 *   GET  /workflows                                  registered workflows and their steps
 *   POST /workflows/:name/runs {"params","batch_id"?} run one partition through its actor
 *                                                    (bearer): 200 complete, 422 failed
 *   GET  /workflows/:name/runs?partition=&limit=     recent runs, newest first
 *   GET  /workflows/runs/:run_id                     one run with its steps
 */
import { Schema } from "effect";
import { UnknownWorkflow } from "../../core/workflow";
import { resolveWorkflow } from "../../core/workflow-runner";
import { getWorkflowRun, listWorkflowRuns } from "../../core/workflow-store";
import { WORKFLOWS } from "../../domains/registry";
import { workflowActor } from "../actors";
import { requireBearer } from "../auth";
import { routes, runEffect } from "../handler";
import { InvalidRequest, WorkflowRunNotFound } from "../http-errors";
import type { ActorWorkflowResponse } from "../partition-actor";
import { decodeJsonBody } from "./runs";

const WorkflowRunBody = Schema.Struct({
  params: Schema.Record({ key: Schema.String, value: Schema.String }),
  batch_id: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
});

export const workflowRoutes = routes()
  .get("/workflows", (c) =>
    c.json({
      workflows: WORKFLOWS.list().map((w) => ({
        name: w.name,
        domain: w.domain,
        description: w.description,
        params: w.paramNames,
        steps: w.steps.map((s) => ({
          name: s.name,
          kind: s.kind,
          ...(s.kind === "pipeline" ? { pipeline: s.pipeline } : {}),
          ...(s.stage ? { stage: s.stage } : {}),
        })),
      })),
    }),
  )
  .get("/workflows/runs/:run_id", async (c) => {
    const runId = c.req.param("run_id");
    const run = await runEffect(c.env, getWorkflowRun(runId));
    if (!run) throw new WorkflowRunNotFound({ message: `no workflow run "${runId}"` });
    return c.json(run);
  })
  .post("/workflows/:name/runs", requireBearer(), async (c) => {
    const body = await decodeJsonBody(c.req, WorkflowRunBody, '{"params":{…}}');
    const { workflow, partition } = await runEffect(
      c.env,
      resolveWorkflow(WORKFLOWS, c.req.param("name"), body.params),
    );
    // Step outputs are `unknown` JSON, which the RPC stub types cannot express.
    const response = (await workflowActor(c.env, workflow.name, partition).runWorkflow({
      workflow: workflow.name,
      params: workflow.paramsOf(partition),
      trigger: "http",
      ...(body.batch_id ? { batchId: body.batch_id } : {}),
    })) as unknown as ActorWorkflowResponse;
    if (!response.result) {
      throw Object.assign(new Error(response.error?.message ?? "workflow run failed"), {
        _tag: response.error?.tag ?? "InternalError",
      });
    }
    return c.json(response.result, response.result.status === "complete" ? 200 : 422);
  })
  .get("/workflows/:name/runs", async (c) => {
    const name = c.req.param("name");
    if (!WORKFLOWS.get(name)) {
      throw new UnknownWorkflow({ workflow: name, message: `unknown workflow "${name}"` });
    }
    const limitText = c.req.query("limit") ?? "50";
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new InvalidRequest({ message: `limit must be an integer 1..500, got ${limitText}` });
    }
    const runs = await runEffect(c.env, listWorkflowRuns(name, c.req.query("partition"), limit));
    return c.json({ workflow: name, runs });
  });
