/**
 * The FINRA weekly stages over stored rows in a temp libSQL file, the demo feed serving the
 * sample weeks: normalize once ingest is ready, backfills stage by stage, and the normalize
 * stage's quality gate (valid rows kept, dependants refused). The refusals themselves are
 * logic tests on the in-memory stores (`calc-dependencies.test.ts`).
 */
import { Effect, Exit } from "effect";
import { describe, expect, it } from "vitest";
import { executeBackfill, planBackfill } from "../../src/core/backfill/backfill";
import { PIPELINES } from "../../src/domains/registry";
import { usePipelineDb } from "../fixtures/pipeline-db";

const setup = usePipelineDb({ vars: { RETRY_MAX_ATTEMPTS: "2" } });
const { query } = setup;

const readiness = (domain: string, stage: string, partition: string) =>
  query(
    "SELECT is_ready FROM core_data_readiness WHERE domain = ? AND stage = ? AND partition_key = ?",
    [domain, stage, partition],
  ).then((rows) => rows.map((r) => Number(r.is_ready)));

describe("calculations over stored weeks", () => {
  it("normalizes a week once its ingest is ready", async () => {
    const ingest = await setup.run("finra.otc_transparency.ingest_week", "2025-01-03|OTCE");
    expect(Exit.isSuccess(ingest) && ingest.value.status).toBe("complete");
    const normalize = await setup.run("finra.otc_transparency.normalize_week", "2025-01-03|OTCE");
    expect(Exit.isSuccess(normalize) && normalize.value.status).toBe("complete");
  });

  it("backfills weeks stage by stage; a stage whose input is missing fails per partition", async () => {
    const backfill = (pipeline: string) =>
      setup.ok(
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
        ),
      );
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
      "SELECT week_ending, count(*) AS n FROM finra_otc_transparency_venue_volume WHERE tier = 'OTCE' AND week_ending >= '2025-02-01' GROUP BY week_ending ORDER BY week_ending",
    );
    expect(rows.map((r) => [r.week_ending, r.n])).toEqual([
      ["2025-02-07", 11],
      ["2025-02-14", 11],
      ["2025-02-21", 11],
    ]);
  });
});

describe("FINRA: the normalize stage is gated and its dependants refuse it", {
  timeout: 60_000,
}, () => {
  it("1 bad line of 15 (6.67%) fails normalize; aggregate is refused; valid rows are kept", async () => {
    const partition = "2025-01-17|NMS_TIER_2";
    const ingested = await setup.run("finra.otc_transparency.ingest_week", partition);
    expect(Exit.isSuccess(ingested) && ingested.value.status).toBe("complete");
    const normalized = await setup.run("finra.otc_transparency.normalize_week", partition);
    if (Exit.isFailure(normalized)) throw new Error(normalized.cause.toString());
    expect(normalized.value).toMatchObject({
      status: "failed",
      counts: { received: 15, valid: 14, quarantined: 1 },
      error: {
        tag: "QualityGateFailed",
        gate: { top_reasons: [{ contract: "VOLUME_VALIDITY", count: 1 }] },
      },
    });
    const [kept] = await query(
      "SELECT count(*) AS n FROM finra_otc_transparency_venue_volume WHERE week_ending = '2025-01-17' AND tier = 'NMS_TIER_2'",
    );
    expect(Number(kept?.n)).toBe(normalized.value.counts.written);
    expect(Number(kept?.n)).toBeGreaterThan(0);
    expect(await readiness("finra.otc_transparency", "NORMALIZE", partition)).toEqual([0]);
    const gate = await query(
      "SELECT category FROM core_anomalies WHERE partition_key = ? AND stage = 'NORMALIZE' AND rule = 'QUALITY_GATE' AND resolved_at IS NULL",
      [partition],
    );
    expect(gate).toEqual([expect.objectContaining({ category: "QUALITY_GATE" })]);

    const aggregate = await setup.run("finra.otc_transparency.aggregate_week", partition);
    expect(Exit.isFailure(aggregate)).toBe(true);
    if (Exit.isFailure(aggregate) && aggregate.cause._tag === "Fail") {
      expect(aggregate.cause.error).toMatchObject({
        _tag: "DependenciesNotReady",
        missing: ["finra.otc_transparency.normalize_week"],
      });
    } else throw new Error("expected a DependenciesNotReady failure");
  });
});
