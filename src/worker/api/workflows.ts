/**
 * Workflows: `GET /workflows`, `POST /workflows/:name/runs`, `GET /workflows/:name/runs`
 * and `GET /workflows/runs/:run_id`.
 */
import * as Schema from "effect/Schema";
import { RunTrigger } from "../../core/model/run-result";
import { PartitionInFuture } from "../../core/pipeline/partition-time";
import { InvalidWorkflowParams, UnknownWorkflow } from "../../core/workflow/workflow";
import { DatabaseError } from "../../db/errors";
import { WorkflowRunNotFound } from "../http-errors";
import { Limit, optional, Text } from "../request-schemas";
import { route } from "./route";
import { Params } from "./runs";

const Failure = { tag: Schema.String, message: Schema.String };

const StepRun = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literal("pipeline", "lambda", "choice"),
  status: Schema.Literal("complete", "failed", "skipped", "not_run"),
  started_at: Schema.NullOr(Schema.String),
  duration_ms: Schema.Number,
  output: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  error: Schema.optional(Schema.Struct(Failure)),
});

const WorkflowRun = Schema.Struct({
  status: Schema.Literal("running", "complete", "complete_with_skips", "failed"),
  run_id: Schema.String,
  workflow: Schema.String,
  domain: Schema.String,
  partition: Schema.String,
  params: Schema.Record({ key: Schema.String, value: Schema.String }),
  trigger: RunTrigger,
  batch_id: Schema.String,
  stage: Schema.String.annotations({ description: "The last manifest stage reached." }),
  started_at: Schema.String,
  finished_at: Schema.NullOr(Schema.String),
  duration_ms: Schema.NullOr(Schema.Number),
  steps: Schema.Array(StepRun),
  error: Schema.optional(Schema.Struct({ step: Schema.String, ...Failure })),
}).annotations({ identifier: "WorkflowRun" });

export const LIST_WORKFLOWS = route({
  method: "GET",
  path: "/workflows",
  operationId: "listWorkflows",
  summary: "Registered workflows and their steps",
  tag: "workflows",
  scope: "read",
  responses: {
    200: {
      description: "The `WORKFLOWS` registry.",
      schema: Schema.Struct({
        workflows: Schema.Array(
          Schema.Struct({
            name: Schema.String,
            domain: Schema.String,
            description: Schema.String,
            params: Schema.Array(Schema.String),
            steps: Schema.Array(
              Schema.Struct({
                name: Schema.String,
                kind: Schema.Literal("pipeline", "lambda", "choice"),
                pipeline: optional(Schema.String),
                stage: optional(Schema.String),
              }),
            ),
          }),
        ),
      }),
    },
  },
  errors: [],
});

export const GET_WORKFLOW_RUN = route({
  method: "GET",
  path: "/workflows/runs/:run_id",
  operationId: "getWorkflowRun",
  summary: "One workflow run with its steps",
  tag: "workflows",
  scope: "read",
  params: Schema.Struct({ run_id: Text }),
  responses: { 200: { description: "The run.", schema: WorkflowRun } },
  errors: [WorkflowRunNotFound, DatabaseError],
});

const WorkflowName = Schema.Struct({ name: Text });

export const RUN_WORKFLOW = route({
  method: "POST",
  path: "/workflows/:name/runs",
  operationId: "runWorkflow",
  summary: "Run a workflow for one partition through its actor",
  tag: "workflows",
  scope: "write",
  params: WorkflowName,
  body: {
    schema: Schema.Struct({ params: Params, batch_id: optional(Text) }),
    shape: '{"params":{…},"batch_id"?}',
  },
  responses: {
    200: { description: "The run is complete (or complete with skips).", schema: WorkflowRun },
    422: { description: "A step failed (`error`).", schema: WorkflowRun },
  },
  errors: [UnknownWorkflow, InvalidWorkflowParams, PartitionInFuture],
});

export const LIST_WORKFLOW_RUNS = route({
  method: "GET",
  path: "/workflows/:name/runs",
  operationId: "listWorkflowRuns",
  summary: "Recent runs of a workflow, newest first",
  tag: "workflows",
  scope: "read",
  params: WorkflowName,
  query: Schema.Struct({ partition: optional(Text), limit: Limit(500, 50) }),
  responses: {
    200: {
      description: "The runs.",
      schema: Schema.Struct({ workflow: Schema.String, runs: Schema.Array(WorkflowRun) }),
    },
  },
  errors: [UnknownWorkflow, DatabaseError],
});
