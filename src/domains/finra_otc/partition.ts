/**
 * Partition keys of the FINRA OTC transparency pipelines: `<week_ending>|<tier>`, where the
 * week ending is a Friday (FINRA keeps the Friday even when it is a market holiday) and the
 * tier one of `NMS_TIER_1`, `NMS_TIER_2`, `OTCE`.
 */
import { Either } from "effect";
import { addDays, dayOfWeek, parseIsoDate, toDayNumber } from "../../calendar/dates";
import { InvalidBackfillParams } from "../../core/backfill/errors";
import type { DateRange } from "../../core/backfill/range";
import { InvalidPartitionKey } from "../../core/model/errors";
import { PartitionKey } from "../../core/model/ids";
import { FINRA_TIERS, type FinraTier } from "./schema";

export interface WeekTierPartition {
  readonly weekEnding: string;
  readonly tier: FinraTier;
}

/** Formats a partition key. */
export const formatWeekTier = (weekEnding: string, tier: FinraTier): PartitionKey =>
  PartitionKey.make(`${weekEnding}|${tier}`);

export const isFinraTier = (value: string): value is FinraTier =>
  (FINRA_TIERS as ReadonlyArray<string>).includes(value);

/** Parses `YYYY-MM-DD|<tier>`: a real Friday and a known tier. */
export const parseWeekTier = (
  pipeline: string,
  key: string,
): Either.Either<WeekTierPartition, InvalidPartitionKey> => {
  const fail = (message: string) =>
    Either.left(new InvalidPartitionKey({ pipeline, partition: key, message }));
  const [datePart, tier, ...rest] = key.split("|");
  if (datePart === undefined || tier === undefined || rest.length > 0) {
    return fail(
      `partition must be "<week_ending>|<tier>", e.g. "2025-02-21|NMS_TIER_1", got "${key}"`,
    );
  }
  const date = parseIsoDate(datePart);
  if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
  if (dayOfWeek(date) !== 4) return fail(`week ending ${date} is not a Friday`);
  if (!isFinraTier(tier)) return fail(`tier "${tier}" must be one of ${FINRA_TIERS.join(", ")}`);
  return Either.right({ weekEnding: date, tier });
};

/** The week endings (Fridays) of an inclusive date range, oldest first. */
export const fridaysInRange = (range: DateRange): ReadonlyArray<string> => {
  const first = addDays(range.start, (4 - dayOfWeek(range.start) + 7) % 7);
  const out: Array<string> = [];
  for (let d = first; toDayNumber(d) <= toDayNumber(range.end); d = addDays(d, 7)) out.push(d);
  return out;
};

/** The `n` week endings ending at `weekEnding`, oldest first. */
export const weekWindow = (weekEnding: string, n: number): ReadonlyArray<string> =>
  Array.from({ length: n }, (_, i) => addDays(weekEnding, -7 * (n - 1 - i)));

/**
 * Backfill partitions: every Friday of the range × the tiers (`params.tier`, default all
 * three), week by week.
 */
export const weekTierPartitionsForRange = (
  pipeline: string,
  range: DateRange,
  params: Readonly<Record<string, string>>,
): Either.Either<ReadonlyArray<PartitionKey>, InvalidBackfillParams> => {
  const unknown = Object.keys(params).filter((k) => k !== "tier");
  if (unknown.length > 0) {
    return Either.left(
      new InvalidBackfillParams({
        pipeline,
        message: `unknown params ${unknown.join(", ")}; accepted: tier`,
      }),
    );
  }
  const tier = params.tier;
  if (tier !== undefined && !isFinraTier(tier)) {
    return Either.left(
      new InvalidBackfillParams({
        pipeline,
        message: `params.tier must be one of ${FINRA_TIERS.join(", ")}, got "${tier}"`,
      }),
    );
  }
  const tiers = tier === undefined ? FINRA_TIERS : [tier];
  return Either.right(
    fridaysInRange(range).flatMap((week) => tiers.map((t) => formatWeekTier(week, t))),
  );
};

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
