/**
 * Runs a workflow for one partition: steps in order (choices and `next` jump forward),
 * context passing, per-step status and timing, manifest stages (`STARTED` … `COMPLETED`
 * under domain `workflow.<name>`), an anomaly for a failed lambda, and the run kept in
 * `core_workflow_runs`. A run stops at the first failed step; bad input (unknown workflow,
 * bad params) fails the effect, everything else ends in the result.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { BatchId, CaptureId, ExecutionId, makeCaptureId, PipelineName } from "../model/ids";
import type { RunContext } from "../model/run-context";
import { emptyCounts, type RunStatus, type RunTrigger } from "../model/run-result";
import { refuseFuturePartition } from "../pipeline/partition-time";
import type { Pipeline } from "../pipeline/pipeline";
import type { Registry } from "../pipeline/registry";
import { upsertManifest } from "../store/manifest";
import { type StepRun, saveWorkflowRun, type WorkflowRunResult } from "../store/workflow-runs";
import { runStep } from "./step";
import {
  END,
  UnknownWorkflow,
  type Workflow,
  type WorkflowContext,
  type WorkflowStep,
  workflowManifestDomain,
} from "./workflow";

export interface WorkflowRunRequest {
  readonly workflow: string;
  readonly params: Readonly<Record<string, string>>;
  readonly trigger: RunTrigger;
  /** Groups the run's pipeline runs. Default `<trigger>.<run id>`. */
  readonly batchId?: string;
}

/** Finds a workflow and the partition its params name. */
export const resolveWorkflow = (
  workflows: Registry<Workflow>,
  name: string,
  params: Readonly<Record<string, string>>,
) =>
  Effect.gen(function* () {
    const workflow = workflows.get(name);
    if (!workflow) {
      return yield* new UnknownWorkflow({
        workflow: name,
        message: `unknown workflow "${name}"; registered: ${workflows.names().join(", ")}`,
      });
    }
    const partition = yield* workflow.partitionOf(params);
    yield* refuseFuturePartition(workflow.name, partition);
    return { workflow, partition } as const;
  });

const nowMs = Clock.currentTimeMillis;
const iso = (ms: number) => new Date(ms).toISOString();

/** A new run id: `wfrun_` + UUID v4. */
export const newWorkflowRunId = () => `wfrun_${crypto.randomUUID()}`;

/** Runs `request.workflow` through the pipelines of `pipelines`. */
export const runWorkflow = (
  workflows: Registry<Workflow>,
  pipelines: Registry<Pipeline>,
  request: WorkflowRunRequest,
) =>
  Effect.gen(function* () {
    const { workflow, partition } = yield* resolveWorkflow(
      workflows,
      request.workflow,
      request.params,
    );
    const runId = newWorkflowRunId();
    const batchId = request.batchId ?? `${request.trigger}.${runId}`;
    const startMs = yield* nowMs;
    const manifestDomain = workflowManifestDomain(workflow.name);
    const captureOf = (stage: string) =>
      makeCaptureId(manifestDomain, stage, partition, new Date(startMs));
    const bestEffort = <E, R>(effect: Effect.Effect<unknown, E, R>) =>
      effect.pipe(
        Effect.asVoid,
        Effect.catchAll((e) =>
          Effect.logError("workflow bookkeeping write failed", e).pipe(
            Effect.annotateLogs({ run_id: runId }),
          ),
        ),
      );
    /** Writes the manifest row of a stage (same run ⇒ same capture id per stage). */
    const advance = (stage: string, status: RunStatus, metadata: Record<string, unknown>) =>
      bestEffort(
        upsertManifest({
          captureId: captureOf(stage),
          domain: manifestDomain,
          stage,
          partitionKey: partition,
          capturedAt: iso(startMs),
          status,
          rowCount: null,
          executionId: runId,
          batchId,
          metadata: {
            pipeline: workflow.name,
            counts: emptyCounts,
            attempts: 1,
            startedAt: iso(startMs),
            details: { run_id: runId, ...metadata },
          },
        }),
      );

    const steps: Array<StepRun> = workflow.steps.map((s) => ({
      name: s.name,
      kind: s.kind,
      status: "not_run",
      started_at: null,
      duration_ms: 0,
      output: {},
    }));
    const outputs: Record<string, Readonly<Record<string, unknown>>> = {};
    const context: WorkflowContext = {
      workflow: workflow.name,
      runId,
      partition,
      params: request.params,
      outputs,
      getOutput: <A>(step: string, key: string, fallback?: A) => {
        const value = outputs[step]?.[key];
        return value === undefined ? fallback : (value as A);
      },
    };
    let result: WorkflowRunResult = {
      status: "running",
      run_id: runId,
      workflow: workflow.name,
      domain: workflow.domain,
      partition,
      params: request.params,
      trigger: request.trigger,
      batch_id: batchId,
      stage: "STARTED",
      started_at: iso(startMs),
      finished_at: null,
      duration_ms: null,
      steps,
    };
    yield* bestEffort(saveWorkflowRun(result));
    yield* advance("STARTED", "running", { params: request.params });

    /** The RunContext of anomalies a lambda step raises. */
    const anomalyContext = (step: WorkflowStep): RunContext => ({
      pipeline: PipelineName.make(workflow.name),
      domain: workflow.domain,
      stage: step.name.toUpperCase(),
      partitionKey: partition as RunContext["partitionKey"],
      captureId: CaptureId.make(captureOf("STARTED")),
      capturedAt: iso(startMs),
      executionId: ExecutionId.make(runId),
      batchId: BatchId.make(batchId),
    });

    let index = 0;
    let failure: WorkflowRunResult["error"];
    let stage = "STARTED";
    while (index < workflow.steps.length) {
      const step = workflow.steps[index] as WorkflowStep;
      const stepStart = yield* nowMs;
      const ran = yield* runStep(step, context, pipelines, {
        partition,
        trigger: request.trigger,
        batchId,
        anomalyContext,
      });
      const duration = (yield* nowMs) - stepStart;
      steps[index] = {
        name: step.name,
        kind: step.kind,
        status: ran.status,
        started_at: iso(stepStart),
        duration_ms: duration,
        output: ran.output,
        ...(ran.error ? { error: ran.error } : {}),
      };
      outputs[step.name] = ran.output;
      if (ran.status === "failed") {
        failure = { step: step.name, ...(ran.error ?? { tag: "StepFailed", message: "failed" }) };
        break;
      }
      if (ran.status === "complete" && step.stage !== undefined) {
        stage = step.stage;
        yield* advance(stage, "complete", { step: step.name });
      }
      if (ran.status === "skipped" && step.stage !== undefined) {
        yield* advance(step.stage, "skipped", { step: step.name, reason: ran.output.reason });
      }
      const target = ran.jump ?? step.next;
      if (target === END) break;
      const nextIndex =
        target === undefined ? index + 1 : workflow.steps.findIndex((s) => s.name === target);
      for (let skipped = index + 1; skipped < nextIndex; skipped++) {
        const s = steps[skipped] as StepRun;
        steps[skipped] = { ...s, status: "skipped", output: { reason: `branch to ${target}` } };
      }
      index = nextIndex;
    }
    const endMs = yield* nowMs;
    // Steps a gate skipped (not branches a choice left aside) make the run incomplete.
    const gated = steps.filter((s) => s.status === "skipped" && s.kind === "pipeline");
    if (!failure) {
      stage = gated.length > 0 ? "COMPLETED_WITH_SKIPS" : "COMPLETED";
      yield* advance(stage, "complete", {
        steps: steps.length,
        ...(gated.length > 0 ? { skipped_steps: gated.map((s) => s.name) } : {}),
      });
    }
    result = {
      ...result,
      status: failure ? "failed" : gated.length > 0 ? "complete_with_skips" : "complete",
      stage,
      finished_at: iso(endMs),
      duration_ms: endMs - startMs,
      steps,
      ...(failure ? { error: failure } : {}),
    };
    yield* advance("STARTED", failure ? "failed" : "complete", {
      params: request.params,
      status: result.status,
      stage,
      duration_ms: result.duration_ms,
      completed_steps: steps.filter((s) => s.status === "complete").length,
      ...(failure ? { error: failure } : {}),
    });
    yield* bestEffort(saveWorkflowRun(result));
    yield* (failure ? Effect.logWarning : Effect.logInfo)("workflow finished").pipe(
      Effect.annotateLogs({
        workflow: workflow.name,
        partition,
        run_id: runId,
        status: result.status,
        stage,
        ...(failure ? { error: failure.message, step: failure.step } : {}),
      }),
    );
    return result;
  }).pipe(Effect.withSpan("Workflow.run"));
