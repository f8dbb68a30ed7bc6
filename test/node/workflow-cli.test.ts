/**
 * `dataspine workflow` as a real child process on a temp libSQL file, the demo feed started
 * in-process by the command itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataspine } from "../fixtures/cli";
import { makeTempDb, query, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeAll(async () => {
  db = await makeTempDb();
});
afterAll(async () => {
  await db.cleanup();
});

describe("dataspine workflow", () => {
  it("runs the weekly refresh of one sample week and prints one JSON document", async () => {
    const r = await dataspine(
      db.url,
      "workflow",
      "run",
      "finra.weekly_refresh",
      "--param",
      "week_ending=2025-02-21",
      "--param",
      "tier=NMS_TIER_1",
      "--json",
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      status: string;
      run_id: string;
      steps: Array<{
        name: string;
        status: string;
        duration_ms: number;
        output: Record<string, unknown>;
      }>;
    };
    // The rolling step was skipped by its history gate: done, but not everything computed.
    expect(out.status).toBe("complete_with_skips");
    expect(out.run_id).toMatch(/^wfrun_/);
    expect(out.steps.map((s) => [s.name, s.status])).toEqual([
      ["ingest", "complete"],
      ["validate", "complete"],
      ["normalize", "complete"],
      ["aggregate", "complete"],
      // One week of history: the rolling gate skips.
      ["rolling", "skipped"],
    ]);
    expect(out.steps.every((s) => typeof s.duration_ms === "number")).toBe(true);
    expect(out.steps[0]?.output.row_count).toBe(28);
    const stored = await query(db.url, "SELECT status FROM core_workflow_runs WHERE run_id = ?", [
      out.run_id,
    ]);
    expect(stored).toEqual([expect.objectContaining({ status: "complete_with_skips" })]);
  }, 60_000);

  it("exits 1 when a step fails and 2 on bad params", async () => {
    const failed = await dataspine(
      db.url,
      "workflow",
      "run",
      "finra.weekly_refresh",
      "-p",
      "week_ending=2025-03-07",
      "-p",
      "tier=OTCE",
      "--json",
    );
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({
      status: "failed",
      error: { step: "ingest" },
    });
    const bad = await dataspine(
      db.url,
      "workflow",
      "run",
      "finra.weekly_refresh",
      "-p",
      "week_ending=2025-03-06",
      "-p",
      "tier=OTCE",
      "--json",
    );
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: "InvalidWorkflowParams" });
    const list = await dataspine(db.url, "workflow", "list", "--json");
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: "finra.weekly_refresh", params: ["week_ending", "tier"] }),
    ]);
  }, 60_000);
});
