/**
 * The workflow engine on the in-memory stores: every step type (pipeline, lambda, choice),
 * context passing, branch skipping, and each failure path (failed gate, throwing lambda,
 * failed pipeline, refused pipeline, bad input), the manifest stages and anomalies a run
 * leaves. (The FINRA refresh's own validate gate: `quality-gate-thresholds.test.ts`.)
 */
import { describe, it } from "@effect/vitest";
import { Effect, Exit, TestClock } from "effect";
import { expect } from "vitest";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import { Anomalies } from "../../src/core/store/anomalies";
import { StoreMemory } from "../../src/core/store/memory";
import { runWorkflow } from "../../src/core/workflow/runner";
import {
  defineWorkflow,
  END,
  Step,
  StepResult,
  type Workflow,
  type WorkflowContext,
} from "../../src/core/workflow/workflow";
import { weeklyRefresh } from "../../src/domains/finra_otc/workflow";
import { PIPELINES, WORKFLOWS } from "../../src/domains/registry";
import { memoryFeed } from "../fixtures/memory-feed";
import {
  logicLayer,
  notFound,
  outcome,
  registryOf,
  scriptedPipeline,
} from "../fixtures/memory-pipelines";

const NOW = Date.parse("2025-06-02T12:00:00.000Z");

/** The scripted pipelines test workflows run: 11 rows in, 11 written. */
const SCRIPTED = registryOf(
  scriptedPipeline("ingest", () => Effect.succeed(outcome(11, 11))),
  scriptedPipeline("normalize", () => Effect.succeed(outcome(11, 11))),
  scriptedPipeline("missing", () => Effect.fail(notFound("missing", "HTTP 404 Not Found"))),
);

/** A test workflow, partition = the weekly refresh's (`<week_ending>|<tier>`). */
const workflowOf = (name: string, steps: Workflow["steps"]): Workflow =>
  defineWorkflow({ ...weeklyRefresh, name, steps, liveRuns: () => [] });

/** Runs `workflow` (a name of `workflows`) at `NOW` through `pipelines`. */
const run = (
  workflow: Workflow | string,
  params: Record<string, string>,
  pipelines: Registry<Pipeline> = SCRIPTED,
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW);
    const workflows =
      typeof workflow === "string"
        ? WORKFLOWS
        : new Registry<Workflow>("workflow").register(workflow);
    const name = typeof workflow === "string" ? workflow : workflow.name;
    return yield* runWorkflow(workflows, pipelines, { workflow: name, params, trigger: "cli" });
  });

const statuses = (r: { steps: ReadonlyArray<{ name: string; status: string }> }) =>
  r.steps.map((s) => `${s.name}:${s.status}`);

/** Anomalies of a partition's workflow step (stage = the step's name in capitals). */
const stepAnomalies = (partition: string, stage: string) =>
  Effect.map(Anomalies.list({ partition }), (all) => all.filter((a) => a.stage === stage));

describe("step types", () => {
  it.effect("a choice branches on params; skipped steps are marked; a branch can end the run", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = [];
      const wf = workflowOf("test.choice", [
        Step.choice("route", {
          condition: (ctx) => ctx.params.tier === "OTCE",
          thenStep: "ingest",
          elseStep: "note",
        }),
        Step.lambda("note", () => StepResult.ok({ path: "else" }), { next: END }),
        Step.pipeline("ingest", "memory.ingest", { stage: "INGESTED" }),
        Step.lambda("check", (ctx: WorkflowContext) => {
          seen.push(
            ctx.getOutput("ingest", "row_count"),
            ctx.getOutput("route", "branch"),
            ctx.getOutput("nope", "x", 7),
          );
          return StepResult.ok({ checked: true });
        }),
      ]);
      const otce = yield* run(wf, { week_ending: "2025-01-10", tier: "OTCE" });
      expect(otce.status).toBe("complete");
      expect(statuses(otce)).toEqual([
        "route:complete",
        "note:skipped",
        "ingest:complete",
        "check:complete",
      ]);
      expect(otce.steps[0]?.output).toEqual({ branch: "then", next: "ingest" });
      expect(seen).toEqual([11, "then", 7]);

      const tier2 = yield* run(wf, { week_ending: "2025-01-10", tier: "NMS_TIER_2" });
      expect(statuses(tier2)).toEqual([
        "route:complete",
        "note:complete",
        "ingest:not_run",
        "check:not_run",
      ]);
      expect(tier2.status).toBe("complete");
      expect(tier2.steps[1]?.output).toEqual({ path: "else" });
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a failed gate stops the run with an anomaly; the next passing run resolves it", () =>
    Effect.gen(function* () {
      let minimum = 1_000;
      const wf = workflowOf("test.gate", [
        Step.pipeline("ingest", "memory.ingest", { stage: "INGESTED" }),
        Step.lambda(
          "validate",
          (ctx) => {
            const rows = ctx.getOutput<number>("ingest", "row_count", 0) ?? 0;
            return rows >= minimum
              ? StepResult.ok({ rows })
              : StepResult.fail(`only ${rows} rows, need ${minimum}`, "QUALITY_GATE", {
                  output: { rows },
                });
          },
          { stage: "VALIDATED" },
        ),
        Step.pipeline("normalize", "memory.normalize"),
      ]);
      const params = { week_ending: "2025-01-17", tier: "OTCE" };
      const failed = yield* run(wf, params);
      expect(failed.status).toBe("failed");
      expect(failed.stage).toBe("INGESTED");
      expect(statuses(failed)).toEqual(["ingest:complete", "validate:failed", "normalize:not_run"]);
      expect(failed.error).toEqual({
        step: "validate",
        tag: "QUALITY_GATE",
        message: "only 11 rows, need 1000",
      });
      const gate = yield* stepAnomalies("2025-01-17|OTCE", "VALIDATE");
      expect(gate).toEqual([
        expect.objectContaining({
          domain: "finra.otc_transparency",
          category: "QUALITY_GATE",
          message: "test.gate validate: only 11 rows, need 1000",
          resolved_at: null,
        }),
      ]);
      const memory = yield* StoreMemory;
      const manifest = [...memory.manifest.values()]
        .filter((r) => r.executionId === failed.run_id)
        .map((r) => [r.stage, r.status])
        .sort();
      expect(manifest).toEqual([
        ["INGESTED", "complete"],
        ["STARTED", "failed"],
      ]);

      minimum = 1;
      yield* TestClock.adjust("1 minute");
      const passed = yield* run(wf, params);
      expect(passed.status).toBe("complete");
      expect((yield* stepAnomalies("2025-01-17|OTCE", "VALIDATE"))[0]?.resolved_at).not.toBeNull();
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect(
    "a lambda that throws fails its step with LambdaError and a WORKFLOW_ERROR anomaly",
    () =>
      Effect.gen(function* () {
        const wf = workflowOf("test.throw", [
          Step.lambda("boom", () => {
            throw new Error("kaboom");
          }),
          Step.pipeline("ingest", "memory.ingest"),
        ]);
        const r = yield* run(wf, { week_ending: "2025-01-24", tier: "OTCE" });
        expect(r.status).toBe("failed");
        expect(r.error).toEqual({ step: "boom", tag: "LambdaError", message: "kaboom" });
        expect(statuses(r)).toEqual(["boom:failed", "ingest:not_run"]);
        expect(yield* stepAnomalies("2025-01-24|OTCE", "BOOM")).toEqual([
          expect.objectContaining({ rule: "WORKFLOW_ERROR", category: "DATA_QUALITY" }),
        ]);
      }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("a failed pipeline step stops the run: a scripted 404", () =>
    Effect.gen(function* () {
      const wf = workflowOf("test.fail", [
        Step.pipeline("ingest", "memory.missing", { stage: "INGESTED" }),
        Step.pipeline("normalize", "memory.normalize"),
      ]);
      const r = yield* run(wf, { week_ending: "2025-03-07", tier: "NMS_TIER_2" });
      expect(r.status).toBe("failed");
      expect(statuses(r)).toEqual(["ingest:failed", "normalize:not_run"]);
      expect(r.error).toMatchObject({ step: "ingest", tag: "PermanentSourceError" });
      expect(r.stage).toBe("STARTED");
    }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("the FINRA refresh stops at its ingest: a week FINRA has not published (404)", () => {
    const feed = memoryFeed();
    return Effect.gen(function* () {
      const r = yield* run(
        "finra.weekly_refresh",
        { week_ending: "2025-03-07", tier: "NMS_TIER_2" },
        PIPELINES,
      );
      expect(r.status).toBe("failed");
      expect(statuses(r)).toEqual([
        "ingest:failed",
        "validate:not_run",
        "normalize:not_run",
        "aggregate:not_run",
        "rolling:not_run",
      ]);
      expect(r.error).toMatchObject({ step: "ingest", tag: "PermanentSourceError" });
      expect(r.error?.message).toContain("404");
      expect(r.stage).toBe("STARTED");
      expect(feed.requests).toEqual(["/otc-transparency/weekly/2025-03-07/NMS_TIER_2.psv"]);
    }).pipe(Effect.provide(logicLayer({ RETRY_MAX_ATTEMPTS: "2" }, feed)));
  });

  it.effect(
    "a pipeline step refused for unready dependencies fails with DependenciesNotReady",
    () =>
      Effect.gen(function* () {
        const wf = workflowOf("test.deps", [
          Step.pipeline("aggregate", "finra.otc_transparency.aggregate_week"),
        ]);
        const r = yield* run(wf, { week_ending: "2025-01-31", tier: "OTCE" }, PIPELINES);
        expect(r.status).toBe("failed");
        expect(r.steps[0]?.error).toMatchObject({ tag: "DependenciesNotReady" });
        expect(r.steps[0]?.error?.message).toContain("finra.otc_transparency.normalize_week");
      }).pipe(Effect.provide(logicLayer())),
  );

  it.effect("unknown workflows and bad params are refused before anything runs", () =>
    Effect.gen(function* () {
      const refusal = (name: string, params: Record<string, string>) =>
        Effect.map(Effect.exit(run(name, params, PIPELINES)), (exit) =>
          Exit.isFailure(exit) ? exit.cause.toString() : "ran",
        );
      expect(yield* refusal("finra.nope", { week_ending: "2025-01-03", tier: "OTCE" })).toMatch(
        /UnknownWorkflow/,
      );
      expect(
        yield* refusal("finra.weekly_refresh", { week_ending: "2025-01-02", tier: "OTCE" }),
      ).toMatch(/InvalidWorkflowParams: week ending 2025-01-02 is not a Friday/);
      expect(
        yield* refusal("finra.weekly_refresh", { week_ending: "2025-01-03", tier: "OTC_LINK" }),
      ).toMatch(/InvalidWorkflowParams/);
      expect(yield* refusal("finra.weekly_refresh", { week_ending: "2025-01-03" })).toMatch(
        /required/,
      );
      const memory = yield* StoreMemory;
      expect([memory.manifest.size, memory.workflowRuns.size]).toEqual([0, 0]);
    }).pipe(Effect.provide(logicLayer())),
  );

  it("definitions with backward or unknown jumps, or repeated names, are refused", () => {
    const lambda = (name: string, next?: string) =>
      Step.lambda(name, () => StepResult.ok(), next === undefined ? {} : { next });
    expect(() => workflowOf("bad.back", [lambda("a"), lambda("b", "a")])).toThrow(
      /not a later step/,
    );
    expect(() => workflowOf("bad.unknown", [lambda("a", "zzz")])).toThrow(/not a later step/);
    expect(() => workflowOf("bad.dup", [lambda("a"), lambda("a")])).toThrow(/repeated/);
    expect(() =>
      workflowOf("bad.choice", [
        lambda("a"),
        Step.choice("c", { condition: () => true, thenStep: "a", elseStep: END }),
      ]),
    ).toThrow(/not a later step/);
  });
});
