/**
 * Workflows: a name, a domain and ordered steps, run for one partition with a context that
 * carries the params and every step's outputs (seed 000, "Orchestration: Workflow v2").
 *
 * - `Step.pipeline(name, pipeline)` runs a registered pipeline for the workflow's partition.
 * - `Step.lambda(name, check)` is a lightweight check over params and earlier outputs: it
 *   returns `StepResult.ok(output)` or `StepResult.fail(message, category)`; a failure stops
 *   the run and is recorded as an anomaly (e.g. `QUALITY_GATE`). No I/O, no business logic.
 * - `Step.choice(name, { condition, thenStep, elseStep })` jumps to a named later step.
 *
 * Any step may name the step that follows it (`next`, or `END`), so branches can rejoin.
 * Jumps only go forward, so every run ends.
 */

import type * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import type { PartitionKey } from "../model/ids";
import { TaggedHttpError } from "../model/tagged-http-error";
import type { AnomalySeverity } from "../store/anomalies";

/** Outputs of one step, by key. */
export type StepOutput = Readonly<Record<string, unknown>>;

/** What a running step sees. */
export interface WorkflowContext {
  readonly workflow: string;
  readonly runId: string;
  readonly partition: string;
  readonly params: Readonly<Record<string, string>>;
  /** Outputs of the steps that ran so far, by step name. */
  readonly outputs: Readonly<Record<string, StepOutput>>;
  /** One output of an earlier step, or `fallback` when that step or key is absent. */
  readonly getOutput: <A = unknown>(step: string, key: string, fallback?: A) => A | undefined;
}

/** The answer of a lambda step. */
export type StepResult =
  | { readonly ok: true; readonly output: StepOutput }
  | {
      readonly ok: false;
      readonly message: string;
      /** Anomaly category, e.g. `QUALITY_GATE`. */
      readonly category: string;
      readonly severity: AnomalySeverity;
      readonly output: StepOutput;
    };

export const StepResult = {
  ok: (output: StepOutput = {}): StepResult => ({ ok: true, output }),
  fail: (
    message: string,
    category = "QUALITY_GATE",
    options: { readonly severity?: AnomalySeverity; readonly output?: StepOutput } = {},
  ): StepResult => ({
    ok: false,
    message,
    category,
    severity: options.severity ?? "HIGH",
    output: options.output ?? {},
  }),
};

/** Ends the run after a step (as `next`). */
export const END = "END";

interface StepBase {
  readonly name: string;
  /** Manifest stage the workflow reaches when this step completes (e.g. `INGESTED`). */
  readonly stage?: string;
  /** The step to run after this one (default: the next in order); `END` stops. */
  readonly next?: string;
}

export interface PipelineStep extends StepBase {
  readonly kind: "pipeline";
  readonly pipeline: string;
}

export interface LambdaStep extends StepBase {
  readonly kind: "lambda";
  readonly check: (ctx: WorkflowContext) => StepResult;
}

export interface ChoiceStep extends StepBase {
  readonly kind: "choice";
  readonly condition: (ctx: WorkflowContext) => boolean;
  readonly thenStep: string;
  readonly elseStep: string;
}

export type WorkflowStep = PipelineStep | LambdaStep | ChoiceStep;

type StepOptions = Pick<StepBase, "stage" | "next">;

export const Step = {
  pipeline: (name: string, pipeline: string, options: StepOptions = {}): PipelineStep => ({
    kind: "pipeline",
    name,
    pipeline,
    ...options,
  }),
  lambda: (
    name: string,
    check: (ctx: WorkflowContext) => StepResult,
    options: StepOptions = {},
  ): LambdaStep => ({ kind: "lambda", name, check, ...options }),
  choice: (
    name: string,
    branch: {
      readonly condition: (ctx: WorkflowContext) => boolean;
      readonly thenStep: string;
      readonly elseStep: string;
    },
    options: StepOptions = {},
  ): ChoiceStep => ({ kind: "choice", name, ...branch, ...options }),
};

/** The params do not name a partition of the workflow. */
export class InvalidWorkflowParams extends TaggedHttpError<InvalidWorkflowParams>()(
  "InvalidWorkflowParams",
  400,
  { workflow: Schema.String },
) {}

/** No workflow of that name is registered. */
export class UnknownWorkflow extends TaggedHttpError<UnknownWorkflow>()("UnknownWorkflow", 404, {
  workflow: Schema.String,
}) {}

/** A registered workflow. */
export interface Workflow {
  readonly name: string;
  readonly domain: string;
  readonly description: string;
  /** Params the workflow reads, for help and errors. */
  readonly paramNames: ReadonlyArray<string>;
  readonly steps: ReadonlyArray<WorkflowStep>;
  /** The partition a run with these params works on (checks the params). */
  readonly partitionOf: (
    params: Readonly<Record<string, string>>,
  ) => Either.Either<PartitionKey, InvalidWorkflowParams>;
  /** The params of a partition key (inverse of `partitionOf`). */
  readonly paramsOf: (partition: string) => Readonly<Record<string, string>>;
  /** Runs the cron should start at `now` (params of each); empty if none. */
  readonly liveRuns: (now: Date) => ReadonlyArray<Readonly<Record<string, string>>>;
}

/** The manifest domain of a workflow's runs: `workflow.<name>`. */
export const workflowManifestDomain = (name: string) => `workflow.${name}`;

/**
 * Checks a definition: unique step names, and every jump (`thenStep`, `elseStep`, `next`) names a
 * later step or `END`. Throws on a bad definition (a programming error, like a duplicate
 * registry entry).
 */
export const defineWorkflow = (workflow: Workflow): Workflow => {
  const index = new Map<string, number>();
  workflow.steps.forEach((step, i) => {
    if (step.name === END || index.has(step.name)) {
      throw new Error(
        `workflow ${workflow.name}: step name "${step.name}" is reserved or repeated`,
      );
    }
    index.set(step.name, i);
  });
  workflow.steps.forEach((step, i) => {
    const targets = [
      ...(step.next !== undefined ? [step.next] : []),
      ...(step.kind === "choice" ? [step.thenStep, step.elseStep] : []),
    ];
    for (const target of targets) {
      const at = target === END ? Number.POSITIVE_INFINITY : index.get(target);
      if (at === undefined || at <= i) {
        throw new Error(
          `workflow ${workflow.name}: step "${step.name}" jumps to "${target}", which is not a later step`,
        );
      }
    }
  });
  if (workflow.steps.length === 0) throw new Error(`workflow ${workflow.name} has no steps`);
  return workflow;
};
