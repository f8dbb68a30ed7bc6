/**
 * `finra.weekly_refresh`: ingest → validate → normalize → aggregate → rolling for one week
 * and tier (params `week_ending`, `tier`; partition `<week_ending>|<tier>`). Run weekly by
 * the cron for the latest published week of each tier, and on demand.
 */
import * as Either from "effect/Either";
import {
  defineWorkflow,
  InvalidWorkflowParams,
  Step,
  StepResult,
  type WorkflowContext,
} from "../../core/workflow/workflow";
import { latestPublishedPartitions, WEEKLY_BY_TIER, type WeekTierPartition } from "./partition";

export const WEEKLY_REFRESH = "finra.weekly_refresh";

const paramsOfPartition = (p: WeekTierPartition) => ({ week_ending: p.weekEnding, tier: p.tier });

/** Most lines a weekly file may lose to malformed rows before the refresh stops. */
export const MAX_MALFORMED_RATE = 0.05;

/** Lambda: the ingest must have kept lines, and at most 5 % may be malformed. */
export const checkIngestQuality = (ctx: WorkflowContext): StepResult => {
  const received = ctx.getOutput<number>("ingest", "received", 0) ?? 0;
  const written = ctx.getOutput<number>("ingest", "row_count", 0) ?? 0;
  const quarantined = ctx.getOutput<number>("ingest", "quarantined", 0) ?? 0;
  const rate = received === 0 ? 0 : quarantined / received;
  const output = { received, row_count: written, quarantined, malformed_rate: rate };
  if (written === 0) {
    return StepResult.fail(`no rows ingested for ${ctx.partition}`, "QUALITY_GATE", { output });
  }
  if (rate > MAX_MALFORMED_RATE) {
    return StepResult.fail(
      `${quarantined} of ${received} lines malformed (more than ${MAX_MALFORMED_RATE * 100}%)`,
      "QUALITY_GATE",
      { output },
    );
  }
  return StepResult.ok({ ...output, validated: true });
};

export const weeklyRefresh = defineWorkflow({
  name: WEEKLY_REFRESH,
  domain: "finra.otc_transparency",
  description: "Weekly FINRA OTC transparency refresh of one week and tier",
  paramNames: ["week_ending", "tier"],
  steps: [
    Step.pipeline("ingest", "finra.otc_transparency.ingest_week", { stage: "INGESTED" }),
    Step.lambda("validate", checkIngestQuality, { stage: "VALIDATED" }),
    Step.pipeline("normalize", "finra.otc_transparency.normalize_week", { stage: "NORMALIZED" }),
    Step.pipeline("aggregate", "finra.otc_transparency.aggregate_week", { stage: "AGGREGATED" }),
    Step.pipeline("rolling", "finra.otc_transparency.compute_rolling", { stage: "ROLLED" }),
  ],
  partitionOf: (params) => {
    const fail = (message: string) =>
      Either.left(new InvalidWorkflowParams({ workflow: WEEKLY_REFRESH, message }));
    const unknown = Object.keys(params).filter((k) => k !== "week_ending" && k !== "tier");
    if (unknown.length > 0)
      return fail(`unknown params ${unknown.join(", ")}; accepted: week_ending, tier`);
    if (params.week_ending === undefined || params.tier === undefined) {
      return fail("params week_ending (a Friday, YYYY-MM-DD) and tier are required");
    }
    return Either.match(
      WEEKLY_BY_TIER.parse(WEEKLY_REFRESH, `${params.week_ending}|${params.tier}`),
      {
        onLeft: (e) => fail(e.message),
        onRight: (p) => Either.right(WEEKLY_BY_TIER.format(p)),
      },
    );
  },
  paramsOf: (partition) =>
    Either.match(WEEKLY_BY_TIER.parse(WEEKLY_REFRESH, partition), {
      onLeft: () => ({ week_ending: "", tier: "" }),
      onRight: paramsOfPartition,
    }),
  liveRuns: (now) => latestPublishedPartitions(now).map(paramsOfPartition),
});
