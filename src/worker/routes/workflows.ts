/**
 * Workflows over HTTP: `GET /workflows`, `POST /workflows/:name/runs` (one partition through
 * its actor; 200 complete, 422 failed), `GET /workflows/:name/runs?partition=&limit=` and
 * `GET /workflows/runs/:run_id`.
 */
import { workflowActor } from "../../actors/contract";
import { RemoteFailure } from "../../core/model/tagged-http-error";
import { getWorkflowRun, listWorkflowRuns } from "../../core/store/workflow-runs";
import { resolveWorkflow } from "../../core/workflow/runner";
import { UnknownWorkflow } from "../../core/workflow/workflow";
import { WORKFLOWS } from "../../domains/registry";
import { handle, mount } from "../api/register";
import {
  GET_WORKFLOW_RUN,
  LIST_WORKFLOW_RUNS,
  LIST_WORKFLOWS,
  RUN_WORKFLOW,
} from "../api/workflows";
import { WorkflowRunNotFound } from "../http-errors";

export const workflowRoutes = mount(
  handle(LIST_WORKFLOWS)(async () => ({
    status: 200,
    body: {
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
    },
  })),
  handle(GET_WORKFLOW_RUN)(async (_c, { params: { run_id: runId } }, { run, fail }) => {
    const found = await run(getWorkflowRun(runId));
    if (!found) return fail(new WorkflowRunNotFound({ message: `no workflow run "${runId}"` }));
    return { status: 200, body: found };
  }),
  handle(RUN_WORKFLOW)(async (c, { params, body }, { run }) => {
    const { workflow, partition } = await run(resolveWorkflow(WORKFLOWS, params.name, body.params));
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
    return { status: response.result.status === "failed" ? 422 : 200, body: response.result };
  }),
  handle(LIST_WORKFLOW_RUNS)(async (_c, { params: { name }, query }, { run, fail }) => {
    if (!WORKFLOWS.get(name)) {
      return fail(new UnknownWorkflow({ workflow: name, message: `unknown workflow "${name}"` }));
    }
    const runs = await run(listWorkflowRuns(name, query.partition, query.limit));
    return { status: 200, body: { workflow: name, runs } };
  }),
);
