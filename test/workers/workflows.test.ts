/**
 * Workflows inside workerd: `POST /workflows/:name/runs` through the partition actors, the
 * FINRA weekly refresh over six sample weeks (NMS Tier 1) against the real libSQL endpoint and
 * the demo feed, `GET /readiness`, the weekly cron, and the HTTP error mapping.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  waitOnExecutionContext,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WorkflowRunResult } from "../../src/core/store/workflow-runs";
import { workflowActor } from "../../src/worker/actors";
import worker from "../../src/worker/index";
import type { ActorWorkflowResponse } from "../../src/worker/partition-actor";
import { WEEKLY_WORKFLOW_CRON } from "../../src/worker/scheduled";
import { get, post, WRITE_TOKEN } from "./api";

const WEEKS = ["2025-01-03", "2025-01-10", "2025-01-17", "2025-01-24", "2025-01-31", "2025-02-07"];

const startRun = (params: Record<string, string>, token: string | null = WRITE_TOKEN) =>
  post("/workflows/finra.weekly_refresh/runs", { params }, token);

describe("POST /workflows/:name/runs", () => {
  it("runs the weekly refresh week by week; the sixth week computes rolling averages", async () => {
    const results: Array<WorkflowRunResult> = [];
    for (const week of WEEKS) {
      const res = await startRun({ week_ending: week, tier: "NMS_TIER_1" });
      expect(res.status).toBe(200);
      results.push((await res.json()) as WorkflowRunResult);
    }
    // Without six aggregated weeks the rolling step is skipped by its gate.
    expect(results.map((r) => r.status)).toEqual([
      ...Array(5).fill("complete_with_skips"),
      "complete",
    ]);
    expect(results.map((r) => r.stage)).toEqual([
      ...Array(5).fill("COMPLETED_WITH_SKIPS"),
      "COMPLETED",
    ]);
    expect(results.map((r) => r.steps.find((s) => s.name === "rolling")?.status)).toEqual([
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "skipped",
      "complete",
    ]);
    const last = results[5]!;
    // RDDT starts on 2025-01-24: not in all six weeks, so excluded.
    expect(last.steps.find((s) => s.name === "rolling")?.output).toMatchObject({
      row_count: 6,
      symbols_excluded: 1,
    });

    const stored = await get(`/workflows/runs/${last.run_id}`);
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual(last);
    const listed = (await (
      await get(`/workflows/finra.weekly_refresh/runs?partition=2025-02-07%7CNMS_TIER_1`)
    ).json()) as { runs: Array<{ run_id: string }> };
    expect(listed.runs.map((r) => r.run_id)).toContain(last.run_id);

    const readiness = (await (
      await get(`/readiness?domain=finra.otc_transparency&week_ending=2025-02-07`)
    ).json()) as { readiness: Array<{ stage: string; partition_key: string; is_ready: boolean }> };
    expect(
      readiness.readiness
        .filter((r) => r.partition_key === "2025-02-07|NMS_TIER_1")
        .map((r) => [r.stage, r.is_ready]),
    ).toEqual([
      ["AGGREGATE", true],
      ["INGEST", true],
      ["NORMALIZE", true],
      ["ROLLING", true],
    ]);
    const gated = (await (
      await get(`/readiness?domain=finra.otc_transparency&week_ending=2025-01-31`)
    ).json()) as { readiness: Array<{ stage: string; partition_key: string; is_ready: boolean }> };
    expect(
      gated.readiness.find(
        (r) => r.partition_key === "2025-01-31|NMS_TIER_1" && r.stage === "ROLLING",
      )?.is_ready,
    ).toBe(false);
  });

  it("a normalize stage over the quality gate fails the run with 422 and the gate's figures", async () => {
    // The NMS Tier 2 file of 2025-01-17 has 1 bad line in 15 (6.67% > 5%).
    const res = await startRun({ week_ending: "2025-01-17", tier: "NMS_TIER_2" });
    expect(res.status).toBe(422);
    const run = (await res.json()) as WorkflowRunResult;
    expect(run).toMatchObject({
      status: "failed",
      stage: "VALIDATED",
      error: { step: "normalize", tag: "QualityGateFailed" },
    });
    expect(run.steps.map((s) => [s.name, s.status])).toEqual([
      ["ingest", "complete"],
      ["validate", "complete"],
      ["normalize", "failed"],
      ["aggregate", "not_run"],
      ["rolling", "not_run"],
    ]);
    expect(run.steps[2]?.output).toMatchObject({ received: 15, valid: 14, quarantined: 1 });
    const readiness = (await (
      await get(`/readiness?domain=finra.otc_transparency&week_ending=2025-01-17`)
    ).json()) as { readiness: Array<{ stage: string; partition_key: string; is_ready: boolean }> };
    expect(
      readiness.readiness
        .filter((r) => r.partition_key === "2025-01-17|NMS_TIER_2")
        .map((r) => [r.stage, r.is_ready]),
    ).toEqual([
      ["INGEST", true],
      ["NORMALIZE", false],
    ]);
    const anomalies = (await (
      await get(`/anomalies?partition=2025-01-17%7CNMS_TIER_2&category=QUALITY_GATE`)
    ).json()) as { anomalies: Array<{ rule: string; stage: string; context: object }> };
    expect(anomalies.anomalies).toEqual([
      expect.objectContaining({
        rule: "QUALITY_GATE",
        stage: "NORMALIZE",
        context: expect.objectContaining({
          received: 15,
          quarantined: 1,
          threshold: 0.05,
          top_reasons: [{ contract: "VOLUME_VALIDITY", count: 1 }],
        }),
      }),
    ]);
  });

  it("one run per partition at a time: a concurrent start joins the run in flight", async () => {
    const stub = workflowActor(env, "finra.weekly_refresh", "2025-01-03|OTCE");
    const request = {
      workflow: "finra.weekly_refresh",
      params: { week_ending: "2025-01-03", tier: "OTCE" },
      trigger: "http" as const,
    };
    const [a, b] = (await Promise.all([
      stub.runWorkflow(request),
      stub.runWorkflow(request),
    ])) as unknown as [ActorWorkflowResponse, ActorWorkflowResponse];
    expect(a.result?.status).toBe("complete_with_skips");
    expect(a.result?.run_id).toBe(b.result?.run_id);
    expect([a.joined, b.joined].filter(Boolean)).toHaveLength(1);
  });

  it("a failed step answers 422 with the steps; bad input is refused", async () => {
    const failed = await startRun({ week_ending: "2025-03-07", tier: "NMS_TIER_2" });
    expect(failed.status).toBe(422);
    expect(await failed.json()).toMatchObject({
      status: "failed",
      error: { step: "ingest", tag: "PermanentSourceError" },
    });
    expect((await startRun({ week_ending: "2025-01-03", tier: "OTCE" }, null)).status).toBe(401);
    const bad = await startRun({ week_ending: "2025-01-02", tier: "OTCE" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "InvalidWorkflowParams" });
    const unknown = await post("/workflows/finra.nope/runs", { params: {} });
    expect(unknown.status).toBe(404);
    expect((await get(`/workflows/runs/wfrun_missing`)).status).toBe(404);
    expect((await get(`/readiness?week_ending=2025-13-01`)).status).toBe(400);
  });
});

describe("weekly cron", () => {
  it("refreshes the latest published week of each tier through the actors", async () => {
    // Tuesday 2025-03-04: Tier 1 is published through 2025-02-14, Tier 2 and OTCE through 2025-01-31.
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({
        scheduledTime: Date.parse("2025-03-04T06:00:00Z"),
        cron: WEEKLY_WORKFLOW_CRON,
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const runs = (await (await get(`/workflows/finra.weekly_refresh/runs?limit=500`)).json()) as {
      runs: Array<{ partition: string; trigger: string; status: string }>;
    };
    const cron = runs.runs.filter((r) => r.trigger === "cron");
    expect(cron.map((r) => r.partition).sort()).toEqual([
      "2025-01-31|NMS_TIER_2",
      "2025-01-31|OTCE",
      "2025-02-14|NMS_TIER_1",
    ]);
    expect(cron.every((r) => r.status === "complete" || r.status === "complete_with_skips")).toBe(
      true,
    );
  });
});
