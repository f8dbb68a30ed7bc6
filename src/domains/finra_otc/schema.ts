/**
 * FINRA OTC transparency weekly venue volume: one row per week, tier, symbol and venue (MPID),
 * as FINRA publishes it, with its contracts.
 */
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { addDays, dayOfWeek } from "../../calendar/dates";
import {
  isIsoDate,
  isoDateField,
  nonNegativeInteger,
  requiredText,
  symbolField,
  upperCodeField,
} from "../../core/model/contract-fields";
import {
  type Broken,
  broken,
  contractField,
  decodeContract,
  showValue,
  violation,
} from "../../core/model/contracts";

/** Canonical tier codes, as partition keys spell them. */
export const FINRA_TIERS = ["NMS_TIER_1", "NMS_TIER_2", "OTCE"] as const;
export type FinraTier = (typeof FINRA_TIERS)[number];

/** FINRA's tier descriptions (and the codes themselves) → canonical codes. */
const TIER_NAMES: Readonly<Record<string, FinraTier>> = {
  "nms tier 1": "NMS_TIER_1",
  nms_tier_1: "NMS_TIER_1",
  t1: "NMS_TIER_1",
  "nms tier 2": "NMS_TIER_2",
  nms_tier_2: "NMS_TIER_2",
  t2: "NMS_TIER_2",
  otce: "OTCE",
  otc: "OTCE",
  "otc equity": "OTCE",
};

/** TIER_VALIDITY: a FINRA tier description mapped to its code. */
const tierField = contractField("tier", (value): FinraTier | Broken => {
  const code = typeof value === "string" ? TIER_NAMES[value.trim().toLowerCase()] : undefined;
  return code !== undefined
    ? code
    : broken(
        "TIER_VALIDITY",
        `tier must be NMS Tier 1, NMS Tier 2 or OTCE, got ${showValue(value)}`,
      );
});

/** MPID_FORMAT: a market participant id, 1–8 upper-case letters or digits. */
const mpidField = upperCodeField("mpid", "MPID_FORMAT", 8);

const VenueVolumeFields = Schema.Struct({
  week_ending: isoDateField("week_ending"),
  tier: tierField,
  symbol: symbolField(),
  issue_name: requiredText("issue_name"),
  mpid: mpidField,
  total_weekly_share_quantity: nonNegativeInteger("total_weekly_share_quantity"),
  total_weekly_trade_count: nonNegativeInteger("total_weekly_trade_count", "COUNT_VALIDITY"),
  last_update_date: isoDateField("last_update_date"),
  source: requiredText("source"),
});

/** One published weekly venue-volume row. */
export interface FinraVenueVolume {
  readonly week_ending: string;
  readonly tier: FinraTier;
  readonly symbol: string;
  readonly issue_name: string;
  readonly mpid: string;
  readonly total_weekly_share_quantity: number;
  readonly total_weekly_trade_count: number;
  readonly last_update_date: string;
  readonly source: string;
}

/** The Friday of the week starting on Monday `weekStart`. */
export const weekEndingOf = (weekStart: string): string => addDays(weekStart, 4);

/** WEEK_VALIDITY: FINRA weeks start on a Monday. */
export const weekStartViolation = (weekStart: unknown): string | undefined =>
  typeof weekStart === "string" && isIsoDate(weekStart) && dayOfWeek(weekStart) === 0
    ? undefined
    : violation(
        "WEEK_VALIDITY",
        `weekStartDate must be a Monday YYYY-MM-DD, got ${showValue(weekStart)}`,
      );

/** Checks one mapped row against every contract; returns the row or every violation. */
export const decodeFinraVenueVolume = (
  raw: unknown,
): Either.Either<FinraVenueVolume, ReadonlyArray<string>> =>
  Either.map(decodeContract(VenueVolumeFields, raw), (fields) => fields as FinraVenueVolume);
