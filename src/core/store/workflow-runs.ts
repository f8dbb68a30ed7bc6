/**
 * The `WorkflowRuns` store, `core_workflow_runs`: one row per workflow run, its steps as JSON
 * (the workflow's manifest stages are in `core_manifest`, domain `workflow.<name>`).
 */
import { and, desc, eq } from "drizzle-orm";
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreWorkflowRuns } from "../../db/schema/core";
import type { RunTrigger } from "../model/run-result";
import type { WorkflowRunRow } from "./memory";

/** How one step ended. `not_run`: the run stopped before it; `skipped`: a branch or a gate. */
export type StepStatus = "complete" | "failed" | "skipped" | "not_run";

export interface StepRun {
  readonly name: string;
  readonly kind: "pipeline" | "lambda" | "choice";
  readonly status: StepStatus;
  readonly started_at: string | null;
  readonly duration_ms: number;
  readonly output: Readonly<Record<string, unknown>>;
  readonly error?: { readonly tag: string; readonly message: string };
}

/** `complete_with_skips`: no step failed, but a gate skipped a pipeline step (not ready). */
export type WorkflowStatus = "running" | "complete" | "complete_with_skips" | "failed";

/** The result of a workflow run, as the CLI, HTTP and the store show it. */
export interface WorkflowRunResult {
  readonly status: WorkflowStatus;
  readonly run_id: string;
  readonly workflow: string;
  readonly domain: string;
  readonly partition: string;
  readonly params: Readonly<Record<string, string>>;
  readonly trigger: RunTrigger;
  readonly batch_id: string;
  /** The last manifest stage reached. */
  readonly stage: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly duration_ms: number | null;
  readonly steps: ReadonlyArray<StepRun>;
  readonly error?: { readonly step: string; readonly tag: string; readonly message: string };
}

export const toWorkflowRunRow = (run: WorkflowRunResult): WorkflowRunRow => ({
  runId: run.run_id,
  workflow: run.workflow,
  domain: run.domain,
  partitionKey: run.partition,
  params: JSON.stringify(run.params),
  trigger: run.trigger,
  batchId: run.batch_id,
  status: run.status,
  stage: run.stage,
  startedAt: run.started_at,
  finishedAt: run.finished_at,
  durationMs: run.duration_ms,
  steps: JSON.stringify(run.steps),
  error: run.error ? JSON.stringify(run.error) : null,
});

export const fromWorkflowRunRow = (r: WorkflowRunRow): WorkflowRunResult => ({
  status: r.status as WorkflowStatus,
  run_id: r.runId,
  workflow: r.workflow,
  domain: r.domain,
  partition: r.partitionKey,
  params: JSON.parse(r.params) as Record<string, string>,
  trigger: r.trigger as RunTrigger,
  batch_id: r.batchId,
  stage: r.stage,
  started_at: r.startedAt,
  finished_at: r.finishedAt,
  duration_ms: r.durationMs,
  steps: JSON.parse(r.steps) as ReadonlyArray<StepRun>,
  ...(r.error ? { error: JSON.parse(r.error) as WorkflowRunResult["error"] & object } : {}),
});

/** Workflow runs in `core_workflow_runs`. */
export class WorkflowRuns extends Effect.Service<WorkflowRuns>()("dataspine/WorkflowRuns", {
  effect: Effect.map(Db, (db) => {
    const run = dbTryOn(db);
    return {
      /** Inserts or replaces the row of a run. */
      save: (result: WorkflowRunResult) => {
        const row = toWorkflowRunRow(result);
        const { runId: _, ...set } = row;
        return run("workflowRuns.save", (d) =>
          d
            .insert(coreWorkflowRuns)
            .values(row)
            .onConflictDoUpdate({ target: coreWorkflowRuns.runId, set }),
        ).pipe(Effect.asVoid);
      },
      /** One run by id, or undefined. */
      get: (runId: string) =>
        run("workflowRuns.get", (d) =>
          d.select().from(coreWorkflowRuns).where(eq(coreWorkflowRuns.runId, runId)).limit(1),
        ).pipe(Effect.map((rows) => (rows[0] ? fromWorkflowRunRow(rows[0]) : undefined))),
      /** Recent runs of a workflow (optionally one partition), newest start first. */
      list: (workflow: string, partition: string | undefined, limit: number) =>
        run("workflowRuns.list", (d) =>
          d
            .select()
            .from(coreWorkflowRuns)
            .where(
              partition === undefined
                ? eq(coreWorkflowRuns.workflow, workflow)
                : and(
                    eq(coreWorkflowRuns.workflow, workflow),
                    eq(coreWorkflowRuns.partitionKey, partition),
                  ),
            )
            .orderBy(desc(coreWorkflowRuns.startedAt))
            .limit(limit),
        ).pipe(Effect.map((rows) => rows.map(fromWorkflowRunRow))),
    };
  }),
  accessors: true,
}) {}

/** Inserts or replaces the row of a run. */
export const saveWorkflowRun = WorkflowRuns.save;

/** One run by id, or undefined. */
export const getWorkflowRun = WorkflowRuns.get;

/** Recent runs of a workflow (optionally one partition), newest first. */
export const listWorkflowRuns = (workflow: string, partition?: string, limit = 50) =>
  WorkflowRuns.list(workflow, partition, limit);
