/**
 * `finra_otc_weekly`: FINRA OTC transparency weekly venue volume, pipe-delimited (PSV) with a
 * header row → `finra_otc_transparency_venue_volume`.
 *
 * Columns (FINRA's names; any order, matched case-insensitively):
 *
 *   tierDescription|issueSymbolIdentifier|issueName|marketParticipantName|MPID|
 *   totalWeeklyShareQuantity|totalWeeklyTradeCount|lastUpdateDate
 *
 * plus, optionally, `weekStartDate` (the Monday of the week, FINRA API's field). FINRA's
 * weekly download files carry no week column — the week is in the file name — so the week
 * ending (the Friday) comes from `weekStartDate` + 4 days when present, else from a
 * `YYYY-MM-DD|<tier>` partition key (its date is the week ending). With both, they must
 * agree; a tier in the partition must match every row's tier. `marketParticipantName` is
 * required in the header (it is part of the published layout) but not stored.
 */
import * as Either from "effect/Either";
import { defineSource } from "../../core/ingest/source-run";
import { violation } from "../../core/model/contracts";
import { venueVolumeTableDetection } from "./detection";
import { decodeFinraVenueVolume, weekEndingOf, weekStartViolation } from "./schema";
import { upsertVenueVolume } from "./venue-volume-store";

/** Source name, stored in the table's `source` column. */
export const FINRA_OTC_WEEKLY_SOURCE = "finra_otc_weekly";

/** The published columns, in FINRA's order. */
export const FINRA_OTC_WEEKLY_COLUMNS = [
  "tierDescription",
  "issueSymbolIdentifier",
  "issueName",
  "marketParticipantName",
  "MPID",
  "totalWeeklyShareQuantity",
  "totalWeeklyTradeCount",
  "lastUpdateDate",
] as const;

/** The `finra_otc_weekly` source. */
export const finraOtcWeeklySource = defineSource({
  name: FINRA_OTC_WEEKLY_SOURCE,
  domain: "finra_otc",
  description:
    "FINRA OTC transparency weekly venue volume (PSV) into finra_otc_transparency_venue_volume",
  target: "finra_otc_transparency_venue_volume",
  parser: {
    format: "psv",
    delimiter: "|",
    columns: FINRA_OTC_WEEKLY_COLUMNS,
    optionalColumns: ["weekStartDate"],
  },
  decode: (record, env) => {
    const f = record.fields;
    const weekStart = f.weekStartDate;
    const hasWeekStart = typeof weekStart === "string" && weekStart.trim() !== "";
    const weekProblem = hasWeekStart ? weekStartViolation(weekStart) : undefined;
    const weekEnding =
      hasWeekStart && weekProblem === undefined ? weekEndingOf(weekStart) : env.hints.date;
    const decoded = decodeFinraVenueVolume({
      week_ending: weekProblem === undefined ? weekEnding : undefined,
      tier: f.tierDescription,
      symbol: f.issueSymbolIdentifier,
      issue_name: f.issueName,
      mpid: f.MPID,
      total_weekly_share_quantity: f.totalWeeklyShareQuantity,
      total_weekly_trade_count: f.totalWeeklyTradeCount,
      last_update_date: f.lastUpdateDate,
      source: FINRA_OTC_WEEKLY_SOURCE,
    });
    const problems = [
      weekProblem,
      ...(Either.isLeft(decoded) ? decoded.left : []),
      Either.isRight(decoded) &&
      env.hints.date !== undefined &&
      decoded.right.week_ending !== env.hints.date
        ? violation(
            "PARTITION_MATCH",
            `week ending ${decoded.right.week_ending} is not the partition's ${env.hints.date}`,
          )
        : undefined,
      Either.isRight(decoded) &&
      env.hints.scope !== undefined &&
      decoded.right.tier !== env.hints.scope
        ? violation(
            "PARTITION_MATCH",
            `tier ${decoded.right.tier} is not the partition's ${env.hints.scope}`,
          )
        : undefined,
    ].filter((p): p is string => p !== undefined);
    return problems.length === 0 && Either.isRight(decoded) ? decoded : Either.left(problems);
  },
  write: upsertVenueVolume,
  detection: venueVolumeTableDetection,
});
