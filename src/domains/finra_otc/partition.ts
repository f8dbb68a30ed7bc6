/**
 * Partitions of the FINRA OTC transparency pipelines: `<week_ending>|<tier>`, where the week
 * ending is a Friday (FINRA keeps the Friday even when it is a market holiday) and the tier
 * one of `NMS_TIER_1`, `NMS_TIER_2`, `OTCE`.
 */
import * as Either from "effect/Either";
import { addDays, dayOfWeek } from "../../calendar/dates";
import type { PartitionKey } from "../../core/model/ids";
import { datedScheme } from "../../core/pipeline/partition-scheme";
import { FINRA_TIERS, type FinraTier } from "./schema";

export interface WeekTierPartition {
  readonly weekEnding: string;
  readonly tier: FinraTier;
}

export const isFinraTier = (value: string): value is FinraTier =>
  (FINRA_TIERS as ReadonlyArray<string>).includes(value);

/** The `n` week endings ending at `weekEnding`, oldest first. */
export const weekWindow = (weekEnding: string, n: number): ReadonlyArray<string> =>
  Array.from({ length: n }, (_, i) => addDays(weekEnding, -7 * (n - 1 - i)));

/**
 * The week FINRA has published by `now` for a tier: data for NMS Tier 1 appears two weeks
 * after the week ends, for NMS Tier 2 and OTCE four weeks after. Returns the latest Friday
 * at least that many weeks before the last Friday on or before `now`.
 */
export const latestPublishedWeek = (now: Date, tier: FinraTier): string => {
  const today = now.toISOString().slice(0, 10);
  const lastFriday = addDays(today, -((dayOfWeek(today) - 4 + 7) % 7));
  return addDays(lastFriday, tier === "NMS_TIER_1" ? -14 : -28);
};

/** The latest published week of each tier at `now` (the weekly refresh's partitions). */
export const latestPublishedPartitions = (now: Date): ReadonlyArray<WeekTierPartition> =>
  FINRA_TIERS.map((tier) => ({ weekEnding: latestPublishedWeek(now, tier), tier }));

/**
 * Weekly by tier. Nothing runs them live (the `finra.weekly_refresh` workflow does); a
 * Tuesday delivery is expected to bring each tier's latest published week. Backfills: every
 * Friday of the range × the tiers (`params.tier`, default all three), week by week.
 */
export const WEEKLY_BY_TIER = datedScheme({
  shape: "<week_ending>|<tier>",
  example: "2025-02-21|NMS_TIER_1",
  period: "week",
  nyseSessions: false,
  scope: (tier) =>
    isFinraTier(tier)
      ? Either.right(tier)
      : Either.left(`tier "${tier}" must be one of ${FINRA_TIERS.join(", ")}`),
  make: (weekEnding, tier): WeekTierPartition => ({ weekEnding, tier }),
  parts: (p) => [p.weekEnding, p.tier],
  expected: (date) => latestPublishedPartitions(new Date(`${date}T12:00:00Z`)),
  backfill: { param: "tier", all: FINRA_TIERS, hint: FINRA_TIERS.join(", ") },
});

/** The key of a tier's week. */
export const formatWeekTier = (weekEnding: string, tier: FinraTier): PartitionKey =>
  WEEKLY_BY_TIER.format({ weekEnding, tier });
