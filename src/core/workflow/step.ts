/**
 * One step of a workflow run: a pipeline step through the runner (its status, skipped by a
 * gate included, and its manifest details as outputs), a lambda check (a failure or a throw
 * recorded as an anomaly, resolved when it passes), or a choice (its branch).
 */
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import { describeUnknown } from "../../db/errors";
import { categoryOfRule, parseCategory } from "../model/anomaly-vocabulary";
import type { RunContext } from "../model/run-context";
import type { RunTrigger } from "../model/run-result";
import type { Pipeline } from "../pipeline/pipeline";
import type { Registry } from "../pipeline/registry";
import { runPipeline } from "../pipeline/runner";
import { recordAnomalies, resolveAnomalies } from "../store/anomalies";
import { manifestDetails } from "../store/manifest";
import type { StepRun } from "../store/workflow-runs";
import type { WorkflowContext, WorkflowStep } from "./workflow";

/** How one step ended. */
export interface StepOutcome {
  readonly status: StepRun["status"];
  readonly output: Readonly<Record<string, unknown>>;
  readonly error?: { readonly tag: string; readonly message: string };
  /** A choice's target. */
  readonly jump?: string;
}

/** Runs one step of a workflow for the run's partition; never fails. */
export const runStep = (
  step: WorkflowStep,
  context: WorkflowContext,
  pipelines: Registry<Pipeline>,
  run: {
    readonly partition: string;
    readonly trigger: RunTrigger;
    readonly batchId: string;
    readonly anomalyContext: (step: WorkflowStep) => RunContext;
  },
) =>
  Effect.gen(function* () {
    switch (step.kind) {
      case "pipeline": {
        const exit = yield* runPipeline(pipelines, {
          pipeline: step.pipeline,
          partition: run.partition,
          trigger: run.trigger,
          batchId: run.batchId,
        }).pipe(Effect.either);
        if (Either.isLeft(exit)) {
          return {
            status: "failed",
            output: { pipeline: step.pipeline },
            error: { tag: exit.left._tag, message: exit.left.message },
          } satisfies StepOutcome;
        }
        const r = exit.right;
        const details =
          r.status === "failed"
            ? {}
            : yield* manifestDetails(r.capture_id).pipe(Effect.orElseSucceed(() => ({})));
        const output = {
          pipeline: r.pipeline,
          status: r.status,
          capture_id: r.capture_id,
          execution_id: r.execution_id,
          row_count: r.counts.written,
          ...r.counts,
          ...details,
        };
        if (r.status === "failed") {
          return {
            status: "failed",
            output,
            error: r.error
              ? { tag: r.error.tag, message: r.error.message }
              : { tag: "RunFailed", message: `${r.pipeline} failed` },
          } satisfies StepOutcome;
        }
        return {
          status: r.status === "skipped" ? "skipped" : "complete",
          output,
        } satisfies StepOutcome;
      }
      case "lambda": {
        const answered = Either.try({
          try: () => step.check(context),
          catch: (cause) => describeUnknown(cause),
        });
        const ctx = run.anomalyContext(step);
        const key = `${context.workflow}:${step.name}`;
        if (Either.isLeft(answered)) {
          yield* recordAnomalies(ctx, [
            {
              rule: "WORKFLOW_ERROR",
              severity: "HIGH",
              key,
              message: `lambda ${step.name} threw: ${answered.left}`,
            },
          ]).pipe(Effect.catchAll((e) => Effect.logError("anomaly write failed", e)));
          return {
            status: "failed",
            output: {},
            error: { tag: "LambdaError", message: answered.left },
          } satisfies StepOutcome;
        }
        const answer = answered.right;
        if (!answer.ok) {
          yield* recordAnomalies(ctx, [
            {
              rule: answer.category,
              category: parseCategory(answer.category) ?? categoryOfRule(answer.category),
              severity: answer.severity,
              key,
              message: `${context.workflow} ${step.name}: ${answer.message}`,
              metadata: { run_id: context.runId, output: answer.output },
            },
          ]).pipe(Effect.catchAll((e) => Effect.logError("anomaly write failed", e)));
          return {
            status: "failed",
            output: { ...answer.output, category: answer.category },
            error: { tag: answer.category, message: answer.message },
          } satisfies StepOutcome;
        }
        yield* resolveAnomalies(ctx, "QUALITY_GATE", [key]).pipe(
          Effect.catchAll((e) => Effect.logError("anomaly resolve failed", e)),
        );
        return { status: "complete", output: answer.output } satisfies StepOutcome;
      }
      case "choice": {
        const taken = Either.try({
          try: () => step.condition(context),
          catch: (cause) => describeUnknown(cause),
        });
        if (Either.isLeft(taken)) {
          return {
            status: "failed",
            output: {},
            error: { tag: "ChoiceError", message: taken.left },
          } satisfies StepOutcome;
        }
        const target = taken.right ? step.thenStep : step.elseStep;
        return {
          status: "complete",
          output: { branch: taken.right ? "then" : "else", next: target },
          jump: target,
        } satisfies StepOutcome;
      }
    }
  }) as Effect.Effect<StepOutcome, never, Effect.Effect.Context<ReturnType<typeof runPipeline>>>;
