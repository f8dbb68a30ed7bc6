/**
 * The workflow engine: every step type (pipeline, lambda, choice), context passing, branch
 * skipping, and each failure path (failed gate, throwing lambda, failed pipeline, refused
 * pipeline, bad input), plus the calculation DAG order and weekly backfill partitions.
 */
import { Effect, Either, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executeBackfill, planBackfill } from "../../src/core/backfill/backfill";
import {
  InvalidCalcGraph,
  topologicalOrder,
  validateCalcGraph,
} from "../../src/core/pipeline/calc-dependencies";
import { Registry } from "../../src/core/pipeline/registry";
import {
  defineWorkflow,
  END,
  Step,
  StepResult,
  type Workflow,
  type WorkflowContext,
} from "../../src/core/workflow/workflow";
import { checkIngestQuality, weeklyRefresh } from "../../src/domains/finra_otc/workflow";
import { PIPELINES } from "../../src/domains/registry";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";
import { layerFor, pipelineExit, workflowRun } from "../fixtures/workflows";

let db: TempDb;
let feed: DemoFeedServer;
beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
});
afterAll(async () => {
  await feed.close();
  await db.cleanup();
});

/** A test workflow over the real FINRA pipelines, partition = the weekly refresh's. */
const workflowOf = (name: string, steps: Workflow["steps"]): Workflow =>
  defineWorkflow({ ...weeklyRefresh, name, steps, liveRuns: () => [] });

const run = (workflow: Workflow, params: Record<string, string>) =>
  workflowRun(db.url, feed.url, workflow.name, params, {
    workflows: new Registry<Workflow>("workflow").register(workflow),
  });

const statuses = (r: { steps: ReadonlyArray<{ name: string; status: string }> }) =>
  r.steps.map((s) => `${s.name}:${s.status}`);

describe("step types", () => {
  it("a choice branches on params; skipped steps are marked; a branch can end the run", async () => {
    const seen: Array<unknown> = [];
    const wf = workflowOf("test.choice", [
      Step.choice("route", {
        condition: (ctx) => ctx.params.tier === "OTCE",
        thenStep: "ingest",
        elseStep: "note",
      }),
      Step.lambda("note", () => StepResult.ok({ path: "else" }), { next: END }),
      Step.pipeline("ingest", "finra.otc_transparency.ingest_week", { stage: "INGESTED" }),
      Step.lambda("check", (ctx: WorkflowContext) => {
        seen.push(
          ctx.getOutput("ingest", "row_count"),
          ctx.getOutput("route", "branch"),
          ctx.getOutput("nope", "x", 7),
        );
        return StepResult.ok({ checked: true });
      }),
    ]);
    const otce = await run(wf, { week_ending: "2025-01-10", tier: "OTCE" });
    expect(otce.status).toBe("complete");
    expect(statuses(otce)).toEqual([
      "route:complete",
      "note:skipped",
      "ingest:complete",
      "check:complete",
    ]);
    expect(otce.steps[0]?.output).toEqual({ branch: "then", next: "ingest" });
    expect(seen).toEqual([11, "then", 7]);

    const tier2 = await run(wf, { week_ending: "2025-01-10", tier: "NMS_TIER_2" });
    expect(statuses(tier2)).toEqual([
      "route:complete",
      "note:complete",
      "ingest:not_run",
      "check:not_run",
    ]);
    expect(tier2.status).toBe("complete");
    expect(tier2.steps[1]?.output).toEqual({ path: "else" });
  });

  it("a failed gate stops the run with an anomaly; the next passing run resolves it", async () => {
    let minimum = 1_000;
    const wf = workflowOf("test.gate", [
      Step.pipeline("ingest", "finra.otc_transparency.ingest_week", { stage: "INGESTED" }),
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
      Step.pipeline("normalize", "finra.otc_transparency.normalize_week"),
    ]);
    const failed = await run(wf, { week_ending: "2025-01-17", tier: "OTCE" });
    expect(failed.status).toBe("failed");
    expect(failed.stage).toBe("INGESTED");
    expect(statuses(failed)).toEqual(["ingest:complete", "validate:failed", "normalize:not_run"]);
    expect(failed.error).toEqual({
      step: "validate",
      tag: "QUALITY_GATE",
      message: "only 11 rows, need 1000",
    });
    const anomalies = () =>
      query(
        db.url,
        "SELECT category, stage, message, resolved_at FROM core_anomalies WHERE domain = 'finra.otc_transparency' AND partition_key = '2025-01-17|OTCE' AND stage = 'VALIDATE'",
      );
    expect(await anomalies()).toEqual([
      expect.objectContaining({
        category: "QUALITY_GATE",
        message: "test.gate validate: only 11 rows, need 1000",
        resolved_at: null,
      }),
    ]);
    const manifest = await query(
      db.url,
      "SELECT stage, status FROM core_manifest WHERE execution_id = ? ORDER BY stage",
      [failed.run_id],
    );
    expect(manifest.map((r) => [r.stage, r.status])).toEqual([
      ["INGESTED", "complete"],
      ["STARTED", "failed"],
    ]);

    minimum = 1;
    const passed = await run(wf, { week_ending: "2025-01-17", tier: "OTCE" });
    expect(passed.status).toBe("complete");
    expect((await anomalies())[0]?.resolved_at).not.toBeNull();
  });

  it("a lambda that throws fails its step with LambdaError and a WORKFLOW_ERROR anomaly", async () => {
    const wf = workflowOf("test.throw", [
      Step.lambda("boom", () => {
        throw new Error("kaboom");
      }),
      Step.pipeline("ingest", "finra.otc_transparency.ingest_week"),
    ]);
    const r = await run(wf, { week_ending: "2025-01-24", tier: "OTCE" });
    expect(r.status).toBe("failed");
    expect(r.error).toEqual({ step: "boom", tag: "LambdaError", message: "kaboom" });
    expect(statuses(r)).toEqual(["boom:failed", "ingest:not_run"]);
    const rows = await query(
      db.url,
      "SELECT rule, category FROM core_anomalies WHERE partition_key = '2025-01-24|OTCE' AND stage = 'BOOM'",
    );
    expect(rows).toEqual([
      expect.objectContaining({ rule: "WORKFLOW_ERROR", category: "DATA_QUALITY" }),
    ]);
  });

  it("a failed pipeline step stops the refresh: a week FINRA has not published", async () => {
    const r = await workflowRun(db.url, feed.url, "finra.weekly_refresh", {
      week_ending: "2025-03-07",
      tier: "NMS_TIER_2",
    });
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
  });

  it("a pipeline step refused for unready dependencies fails with DependenciesNotReady", async () => {
    const wf = workflowOf("test.deps", [
      Step.pipeline("aggregate", "finra.otc_transparency.aggregate_week"),
    ]);
    const r = await run(wf, { week_ending: "2025-01-31", tier: "OTCE" });
    expect(r.status).toBe("failed");
    expect(r.steps[0]?.error).toMatchObject({ tag: "DependenciesNotReady" });
    expect(r.steps[0]?.error?.message).toContain("finra.otc_transparency.normalize_week");
  });

  it("unknown workflows and bad params are refused before anything runs", async () => {
    await expect(
      workflowRun(db.url, feed.url, "finra.nope", { week_ending: "2025-01-03", tier: "OTCE" }),
    ).rejects.toThrow(/UnknownWorkflow/);
    await expect(
      workflowRun(db.url, feed.url, "finra.weekly_refresh", {
        week_ending: "2025-01-02",
        tier: "OTCE",
      }),
    ).rejects.toThrow(/InvalidWorkflowParams: week ending 2025-01-02 is not a Friday/);
    await expect(
      workflowRun(db.url, feed.url, "finra.weekly_refresh", {
        week_ending: "2025-01-03",
        tier: "OTC_LINK",
      }),
    ).rejects.toThrow(/InvalidWorkflowParams/);
    await expect(
      workflowRun(db.url, feed.url, "finra.weekly_refresh", { week_ending: "2025-01-03" }),
    ).rejects.toThrow(/required/);
  });

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

describe("the validate gate of the weekly refresh", () => {
  const ctxWith = (ingest: Record<string, unknown>): WorkflowContext => ({
    workflow: "finra.weekly_refresh",
    runId: "wfrun_test",
    partition: "2025-01-03|OTCE",
    params: {},
    outputs: { ingest },
    getOutput: <A>(step: string, key: string, fallback?: A) =>
      (step === "ingest" && key in ingest ? ingest[key] : fallback) as A,
  });
  it("fails on an empty file and on more than 5% malformed lines", () => {
    expect(
      checkIngestQuality(ctxWith({ received: 0, row_count: 0, quarantined: 0 })),
    ).toMatchObject({
      ok: false,
      category: "QUALITY_GATE",
    });
    expect(
      checkIngestQuality(ctxWith({ received: 100, row_count: 94, quarantined: 6 })),
    ).toMatchObject({
      ok: false,
      message: "6 of 100 lines malformed (more than 5%)",
    });
    expect(
      checkIngestQuality(ctxWith({ received: 100, row_count: 95, quarantined: 5 })),
    ).toMatchObject({ ok: true });
  });
});

describe("calculation DAG and weekly partitions", () => {
  it("orders calculations topologically and detects cycles", async () => {
    const order = await Effect.runPromise(validateCalcGraph(PIPELINES));
    const at = (name: string) => order.indexOf(name);
    expect(at("finra.otc_transparency.ingest_week")).toBeLessThan(
      at("finra.otc_transparency.normalize_week"),
    );
    expect(at("finra.otc_transparency.normalize_week")).toBeLessThan(
      at("finra.otc_transparency.aggregate_week"),
    );
    expect(at("finra.otc_transparency.aggregate_week")).toBeLessThan(
      at("finra.otc_transparency.compute_rolling"),
    );
    const edges = [
      { calcId: "c", dependsOnCalcId: "b" },
      { calcId: "b", dependsOnCalcId: "a" },
      { calcId: "d", dependsOnCalcId: "a" },
    ];
    expect(await Effect.runPromise(topologicalOrder(edges, ["d", "c", "b", "a"]))).toEqual([
      "a",
      "b",
      "c",
      "d",
    ]);
    const cyclic = await Effect.runPromiseExit(
      topologicalOrder([...edges, { calcId: "a", dependsOnCalcId: "c" }], ["a", "b", "c"]),
    );
    expect(
      Exit.isFailure(cyclic) && cyclic.cause._tag === "Fail" && cyclic.cause.error,
    ).toBeInstanceOf(InvalidCalcGraph);
  });

  it("backfill plans the Fridays of a range per tier, in order", async () => {
    const plan = await Effect.runPromise(
      planBackfill(PIPELINES, {
        pipeline: "finra.otc_transparency.ingest_week",
        start: "2025-01-01",
        end: "2025-02-28",
        params: { tier: "NMS_TIER_1" },
      }),
    );
    expect(plan.partitions).toEqual([
      "2025-01-03|NMS_TIER_1",
      "2025-01-10|NMS_TIER_1",
      "2025-01-17|NMS_TIER_1",
      "2025-01-24|NMS_TIER_1",
      "2025-01-31|NMS_TIER_1",
      "2025-02-07|NMS_TIER_1",
      "2025-02-14|NMS_TIER_1",
      "2025-02-21|NMS_TIER_1",
      "2025-02-28|NMS_TIER_1",
    ]);
    // Good Friday 2025 (18 April) is an NYSE holiday; FINRA's week still ends that Friday.
    const easter = await Effect.runPromise(
      planBackfill(PIPELINES, {
        pipeline: "finra.otc_transparency.compute_rolling",
        start: "2025-04-14",
        end: "2025-04-20",
      }),
    );
    expect(easter.partitions).toEqual([
      "2025-04-18|NMS_TIER_1",
      "2025-04-18|NMS_TIER_2",
      "2025-04-18|OTCE",
    ]);
    const bad = await Effect.runPromiseExit(
      planBackfill(PIPELINES, {
        pipeline: "finra.otc_transparency.ingest_week",
        start: "2025-01-01",
        end: "2025-01-31",
        params: { tier: "X" },
      }),
    );
    expect(Exit.isFailure(bad)).toBe(true);
    expect(
      Either.isLeft(weeklyRefresh.partitionOf({ week_ending: "2025-01-04", tier: "OTCE" })),
    ).toBe(true);
  });
});

describe("generic backfill and readiness of ingestion pipelines", () => {
  const backfill = (pipeline: string) =>
    Effect.runPromise(
      Effect.flatMap(
        planBackfill(PIPELINES, {
          pipeline,
          start: "2025-02-01",
          end: "2025-02-28",
          params: { tier: "OTCE" },
        }),
        (plan) =>
          executeBackfill(PIPELINES, plan, {
            backfillId: `backfill.test.${pipeline}`,
            concurrency: 2,
          }),
      ).pipe(Effect.provide(layerFor(db.url, feed.url))),
    );

  it("backfills weeks stage by stage; a stage whose input is missing fails per partition", async () => {
    const ingest = await backfill("finra.otc_transparency.ingest_week");
    expect(ingest.partitions.map((p) => [p.partition, p.status])).toEqual([
      ["2025-02-07|OTCE", "complete"],
      ["2025-02-14|OTCE", "complete"],
      ["2025-02-21|OTCE", "complete"],
      // No sample file for the week ending 2025-02-28: FINRA answers 404.
      ["2025-02-28|OTCE", "failed"],
    ]);
    const normalize = await backfill("finra.otc_transparency.normalize_week");
    expect(normalize.partitions.map((p) => p.status)).toEqual([
      "complete",
      "complete",
      "complete",
      "failed",
    ]);
    expect(normalize.partitions[3]?.error).toMatchObject({ tag: "DependenciesNotReady" });
    const rows = await query(
      db.url,
      "SELECT week_ending, count(*) AS n FROM finra_otc_transparency_venue_volume WHERE tier = 'OTCE' AND week_ending >= '2025-02-01' GROUP BY week_ending ORDER BY week_ending",
    );
    expect(rows.map((r) => [r.week_ending, r.n])).toEqual([
      ["2025-02-07", 11],
      ["2025-02-14", 11],
      ["2025-02-21", 11],
    ]);
  });

  it("every registered pipeline run marks its partition's readiness, with its week ending", async () => {
    const monday = await pipelineExit(
      db.url,
      feed.url,
      "market_data.ingest_prices",
      "2025-08-04|demo",
    );
    expect(Exit.isSuccess(monday) && monday.value.status).toBe("complete");
    const saturday = await pipelineExit(
      db.url,
      feed.url,
      "market_data.ingest_prices",
      "2025-08-09|demo",
    );
    expect(Exit.isSuccess(saturday) && saturday.value.status).toBe("no_data_expected");
    const rows = await query(
      db.url,
      "SELECT partition_key, stage, week_ending, is_ready FROM core_data_readiness WHERE domain = 'market_data' ORDER BY partition_key",
    );
    expect(rows.map((r) => [r.partition_key, r.stage, r.week_ending, r.is_ready])).toEqual([
      ["2025-08-04|demo", "INGEST", "2025-08-08", 1],
      ["2025-08-09|demo", "INGEST", "2025-08-08", 1],
    ]);
  });
});
