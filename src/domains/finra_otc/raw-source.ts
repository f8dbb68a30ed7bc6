/**
 * `finra_otc_weekly_raw`: a FINRA weekly venue-volume file (PSV) kept as received, one row per
 * line in `finra_otc_transparency_raw` (the `ingest_week` stage). Only lines the parser cannot
 * split into the published columns are quarantined here; contracts are checked by
 * `normalize_week`.
 */
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import { defineSource } from "../../core/ingest/source-run";
import { checkedPartition } from "../../core/pipeline/define-pipeline";
import { WEEKLY_BY_TIER } from "./partition";
import { FINRA_OTC_WEEKLY_COLUMNS } from "./source";
import { type RawVenueLine, upsertRawLines } from "./stage-stores";

export const FINRA_OTC_WEEKLY_RAW_SOURCE = "finra_otc_weekly_raw";

const text = (value: unknown): string | null =>
  value === undefined || value === null ? null : String(value);

/** The raw source; its partition key must be `<week_ending>|<tier>`. */
export const finraOtcWeeklyRawSource = defineSource<RawVenueLine>({
  name: FINRA_OTC_WEEKLY_RAW_SOURCE,
  domain: "finra.otc_transparency",
  description:
    "FINRA OTC transparency weekly file (PSV), as received, into finra_otc_transparency_raw",
  target: "finra_otc_transparency_raw",
  parser: {
    format: "psv",
    delimiter: "|",
    columns: FINRA_OTC_WEEKLY_COLUMNS,
  },
  decode: (record) =>
    Either.right({
      recordIndex: record.index,
      raw: record.raw,
      fields: Object.fromEntries(FINRA_OTC_WEEKLY_COLUMNS.map((c) => [c, text(record.fields[c])])),
    }),
  write: (rows, ctx) =>
    Effect.flatMap(checkedPartition(WEEKLY_BY_TIER, ctx.pipeline, ctx.partitionKey), (p) =>
      upsertRawLines(p, FINRA_OTC_WEEKLY_RAW_SOURCE, rows, ctx),
    ),
});
