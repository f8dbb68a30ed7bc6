/**
 * Workflows over HTTP:
 *
 *   GET  /workflows                                  registered workflows and their steps
 *   POST /workflows/:name/runs {"params","batch_id"?} run one partition through its actor
 *                                                    (write): 200 complete, 422 failed
 *   GET  /workflows/:name/runs?partition=&limit=     recent runs, newest first
 *   GET  /workflows/runs/:run_id                     one run with its steps
 */
import { Schema } from "effect";
import { workflowActor } from "../../actors/contract";
import { getWorkflowRun, listWorkflowRuns } from "../../core/store/workflow-runs";
import { resolveWorkflow } from "../../core/workflow/runner";
import { UnknownWorkflow } from "../../core/workflow/workflow";
import { WORKFLOWS } from "../../domains/registry";
import { routes, runEffect } from "../hono-effect";
import { RemoteFailure, WorkflowRunNotFound } from "../http-errors";
import { Limit, MAX_TEXT, optional, Text } from "../request-schemas";
import { jsonBody, params, query } from "../validate";

const WorkflowRunBody = Schema.Struct({
  params: Schema.Record({ key: Schema.String.pipe(Schema.maxLength(MAX_TEXT)), value: Text }),
  batch_id: optional(Text),
});
const NameParams = Schema.Struct({ name: Text });
const RunsQuery = Schema.Struct({ partition: optional(Text), limit: Limit(500, 50) });

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
  .get("/workflows/runs/:run_id", params(Schema.Struct({ run_id: Text })), async (c) => {
    const { run_id: runId } = c.req.valid("param");
    const run = await runEffect(c.env, getWorkflowRun(runId));
    if (!run) throw new WorkflowRunNotFound({ message: `no workflow run "${runId}"` });
    return c.json(run);
  })
  .post(
    "/workflows/:name/runs",
    params(NameParams),
    jsonBody(WorkflowRunBody, '{"params":{…},"batch_id"?}'),
    async (c) => {
      const body = c.req.valid("json");
      const { workflow, partition } = await runEffect(
        c.env,
        resolveWorkflow(WORKFLOWS, c.req.valid("param").name, body.params),
      );
      const response = await workflowActor(c.env.ACTORS, workflow.name, partition).runWorkflow({
        workflow: workflow.name,
        params: workflow.paramsOf(partition),
        trigger: "http",
        ...(body.batch_id ? { batchId: body.batch_id } : {}),
      });
      if (!response.result) {
        throw new RemoteFailure(
          response.error ?? { tag: "Defect", message: "workflow run failed", status: 500 },
        );
      }
      return c.json(response.result, response.result.status === "failed" ? 422 : 200);
    },
  )
  .get("/workflows/:name/runs", params(NameParams), query(RunsQuery), async (c) => {
    const { name } = c.req.valid("param");
    if (!WORKFLOWS.get(name)) {
      throw new UnknownWorkflow({ workflow: name, message: `unknown workflow "${name}"` });
    }
    const { partition, limit } = c.req.valid("query");
    const runs = await runEffect(c.env, listWorkflowRuns(name, partition, limit));
    return c.json({ workflow: name, runs });
  });
