/**
 * `WorkflowRunsTest`: the `WorkflowRuns` store over the in-memory `core_workflow_runs` of
 * `StoreMemory`: a run saved again replaces its row; listings newest start first.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { memoryTry, orderBy, StoreMemory } from "./memory";
import { fromWorkflowRunRow, toWorkflowRunRow, WorkflowRuns } from "./workflow-runs";

/** The in-memory `WorkflowRuns`. */
export const WorkflowRunsTest = Layer.effect(
  WorkflowRuns,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.workflowRuns;
    return WorkflowRuns.make({
      save: (result) =>
        memoryTry(memory, "workflowRuns.save", () => {
          rows.set(result.run_id, toWorkflowRunRow(result));
        }),
      get: (runId) =>
        memoryTry(memory, "workflowRuns.get", () => {
          const row = rows.get(runId);
          return row ? fromWorkflowRunRow(row) : undefined;
        }),
      list: (workflow, partition, limit) =>
        memoryTry(memory, "workflowRuns.list", () =>
          orderBy(
            [...rows.values()].filter(
              (r) =>
                r.workflow === workflow &&
                (partition === undefined || r.partitionKey === partition),
            ),
            [(r) => r.startedAt, "desc"],
          )
            .slice(0, limit)
            .map(fromWorkflowRunRow),
        ),
    });
  }),
);
