/**
 * The FINRA OTC transparency pipelines, partition `<week_ending>|<tier>`:
 *
 *   ingest_week     INGEST     GET `{FINRA_BASE_URL}/otc-transparency/weekly/{week}/{tier}.psv`
 *                              → `finra_otc_transparency_raw` (lines as received)
 *   normalize_week  NORMALIZE  contracts (bad lines quarantined), dedupe per (symbol, MPID)
 *                              → `finra_otc_transparency_venue_volume`
 *   aggregate_week  AGGREGATE  per-symbol totals, venue count, venue market share
 *                              → `…_symbol_summary`, `…_venue_share`
 *   compute_rolling ROLLING    six-week averages per symbol → `…_symbol_rolling_6w`, behind
 *                              the history gate (QUALITY_GATE anomaly and skip without it)
 *
 * Each stage depends on the one before it (`dependsOn`), so the runner refuses it until that
 * stage is ready for the same partition.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import { AppConfig } from "../../core/config/app-config";
import { openConfiguredHttpPayload } from "../../core/ingest/fetch";
import { redactUrl } from "../../core/ingest/http-source";
import { ingestBytes } from "../../core/ingest/ingest";
import { PipelineName } from "../../core/model/ids";
import { summarizeRejections } from "../../core/model/quality";
import { definePipeline, type PipelineDefinition } from "../../core/pipeline/define-pipeline";
import type { Pipeline } from "../../core/pipeline/pipeline";
import { recordAnomalies, resolveAnomalies } from "../../core/store/anomalies";
import { quarantineRecords } from "../../core/store/quarantine";
import {
  aggregateWeek,
  dedupeVenueRows,
  type IndexedVenueVolume,
  rollingAverages,
} from "./calculations";
import { venueVolumeTableDetection } from "./detection";
import { latestPublishedPartitions, WEEKLY_BY_TIER, type WeekTierPartition } from "./partition";
import { FINRA_OTC_WEEKLY_RAW_SOURCE, finraOtcWeeklyRawSource } from "./raw-source";
import { decodeFinraVenueVolume } from "./schema";
import {
  deleteStale,
  readRawLines,
  readVenueRows,
  readWeeklyPoints,
  upsertRolling,
  upsertShares,
  upsertSummaries,
} from "./stage-stores";
import { requireHistoryWindow } from "./validators";
import { upsertVenueVolume } from "./venue-volume-store";

export const FINRA_DOMAIN = "finra.otc_transparency";
/** Weeks in the rolling window (and of history the gate requires). */
export const ROLLING_WEEKS = 6;

const INGEST = PipelineName.make(`${FINRA_DOMAIN}.ingest_week`);
const NORMALIZE = PipelineName.make(`${FINRA_DOMAIN}.normalize_week`);
const AGGREGATE = PipelineName.make(`${FINRA_DOMAIN}.aggregate_week`);
const ROLLING = PipelineName.make(`${FINRA_DOMAIN}.compute_rolling`);

/** The weekly file of one week and tier. */
export const weeklyFileUrl = (baseUrl: string, weekEnding: string, tier: string): string =>
  `${baseUrl}/otc-transparency/weekly/${weekEnding}/${tier}.psv`;

/** Shared shape of the weekly pipelines: partitioned by week and tier. */
const weeklyPipeline = (
  definition: Omit<PipelineDefinition<WeekTierPartition>, "domain" | "partitions" | "span">,
): Pipeline =>
  definePipeline({
    ...definition,
    domain: FINRA_DOMAIN,
    partitions: WEEKLY_BY_TIER,
    span: `FinraOtc.${definition.stage.toLowerCase()}`,
  });

/** INGEST: the weekly file, line by line, as received. */
export const ingestWeek = weeklyPipeline({
  name: INGEST,
  stage: "INGEST",
  // A published weekly file has lines: none kept is not a week's data.
  qualityGate: { requireRecords: true },
  description: "FINRA OTC transparency weekly venue-volume file for one week and tier (raw)",
  run: (ctx, p) =>
    Effect.gen(function* () {
      const url = weeklyFileUrl((yield* AppConfig).sources.finraBaseUrl, p.weekEnding, p.tier);
      const bytes = yield* openConfiguredHttpPayload(url, FINRA_OTC_WEEKLY_RAW_SOURCE);
      const report = yield* ingestBytes(finraOtcWeeklyRawSource, bytes, ctx, {
        where: redactUrl(url),
        hints: { date: p.weekEnding, scope: p.tier },
      });
      const stale = yield* deleteStale("finra_otc_transparency_raw", p, ctx);
      return {
        status: "complete",
        counts: report.counts,
        rejections: report.rejections,
        details: {
          row_count: report.counts.written,
          stale_rows_removed: stale,
          url: redactUrl(url),
        },
      } as const;
    }),
});

/** NORMALIZE: contracts, dedupe, canonical venue volume. */
export const normalizeWeek = weeklyPipeline({
  name: NORMALIZE,
  stage: "NORMALIZE",
  description:
    "Validate and dedupe one week's venue volume into finra_otc_transparency_venue_volume",
  dependsOn: [INGEST],
  run: (ctx, p) =>
    Effect.gen(function* () {
      const lines = yield* readRawLines(p);
      const valid: Array<IndexedVenueVolume> = [];
      const rejected: Array<{
        source: string;
        recordIndex: number;
        raw: string;
        reasons: ReadonlyArray<string>;
      }> = [];
      for (const line of lines) {
        const f = line.fields;
        const decoded = decodeFinraVenueVolume({
          week_ending: p.weekEnding,
          tier: f.tierDescription ?? undefined,
          symbol: f.issueSymbolIdentifier ?? undefined,
          issue_name: f.issueName ?? undefined,
          mpid: f.MPID ?? undefined,
          total_weekly_share_quantity: f.totalWeeklyShareQuantity ?? undefined,
          total_weekly_trade_count: f.totalWeeklyTradeCount ?? undefined,
          last_update_date: f.lastUpdateDate ?? undefined,
          source: FINRA_OTC_WEEKLY_RAW_SOURCE,
        });
        const reasons = Either.isLeft(decoded)
          ? [...decoded.left]
          : decoded.right.tier !== p.tier
            ? [`PARTITION_MATCH: tier ${decoded.right.tier} is not the partition's ${p.tier}`]
            : [];
        if (Either.isRight(decoded) && reasons.length === 0) {
          valid.push({ row: decoded.right, recordIndex: line.recordIndex });
        } else {
          rejected.push({
            source: FINRA_OTC_WEEKLY_RAW_SOURCE,
            recordIndex: line.recordIndex,
            raw: line.raw,
            reasons,
          });
        }
      }
      const { kept, dropped } = dedupeVenueRows(valid);
      const quarantined = yield* quarantineRecords(ctx, rejected);
      const written = kept.length === 0 ? 0 : yield* upsertVenueVolume(kept, ctx);
      const stale = yield* deleteStale("finra_otc_transparency_venue_volume", p, ctx);
      // The table's detection, as a file ingest of the same rows runs it.
      const detection = venueVolumeTableDetection.open(ctx, {
        nowMs: yield* Clock.currentTimeMillis,
        hints: { date: p.weekEnding, scope: p.tier },
      });
      detection.observe(kept);
      return {
        status: "complete",
        counts: { received: lines.length, valid: valid.length, quarantined, written },
        rejections: summarizeRejections(rejected),
        details: {
          row_count: kept.length,
          duplicates_dropped: dropped.length,
          duplicate_lines: dropped.slice(0, 50),
          stale_rows_removed: stale,
          detection: yield* detection.finish,
        },
      } as const;
    }),
});

/** AGGREGATE: per-symbol summary and venue market share. */
export const aggregateWeekPipeline = weeklyPipeline({
  name: AGGREGATE,
  stage: "AGGREGATE",
  description: "Per-symbol totals, venue count and venue market share for one week and tier",
  dependsOn: [NORMALIZE],
  run: (ctx, p) =>
    Effect.gen(function* () {
      const rows = yield* readVenueRows(p);
      const { summaries, shares } = aggregateWeek(rows);
      const written = summaries.length === 0 ? 0 : yield* upsertSummaries(p, summaries, ctx);
      if (shares.length > 0) yield* upsertShares(p, shares, ctx);
      yield* deleteStale("finra_otc_transparency_symbol_summary", p, ctx);
      yield* deleteStale("finra_otc_transparency_venue_share", p, ctx);
      return {
        status: "complete",
        counts: { received: rows.length, valid: rows.length, quarantined: 0, written },
        details: {
          row_count: summaries.length,
          symbols: summaries.length,
          venue_shares: shares.length,
        },
      } as const;
    }),
});

const GATE_KEY = "history_window_6w";

/** ROLLING: six-week averages per symbol, behind the history gate. */
export const computeRolling = weeklyPipeline({
  name: ROLLING,
  stage: "ROLLING",
  description: "Six-week rolling averages per symbol (needs six consecutive aggregated weeks)",
  dependsOn: [AGGREGATE],
  run: (ctx, p) =>
    Effect.gen(function* () {
      const gate = yield* requireHistoryWindow(p.tier, p.weekEnding, ROLLING_WEEKS);
      if (!gate.ok) {
        yield* recordAnomalies(ctx, [
          {
            rule: "QUALITY_GATE",
            severity: "HIGH",
            key: GATE_KEY,
            message: `rolling ${ROLLING_WEEKS}-week average for ${p.tier} week ending ${p.weekEnding} skipped: ${gate.missing.length} of ${ROLLING_WEEKS} weeks not aggregated (${gate.missing.join(", ")})`,
            metadata: {
              gate: "require_history_window",
              window: gate.weeks,
              missing_weeks: gate.missing,
            },
          },
        ]);
        return {
          status: "skipped",
          counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
          details: {
            reason: "insufficient_history",
            missing_weeks: gate.missing,
            row_count: 0,
          },
        } as const;
      }
      yield* resolveAnomalies(ctx, "QUALITY_GATE", [GATE_KEY]);
      const points = yield* readWeeklyPoints(p.tier, gate.weeks);
      const { rows, excluded } = rollingAverages(gate.weeks, points);
      const written = rows.length === 0 ? 0 : yield* upsertRolling(p, rows, ctx);
      yield* deleteStale("finra_otc_transparency_symbol_rolling_6w", p, ctx);
      return {
        status: "complete",
        counts: { received: points.length, valid: points.length, quarantined: 0, written },
        details: {
          row_count: rows.length,
          window: gate.weeks,
          symbols_excluded: excluded.length,
          excluded_symbols: excluded.slice(0, 50),
        },
      } as const;
    }),
});

/** Every FINRA OTC transparency pipeline, in dependency order. */
export const FINRA_PIPELINES: ReadonlyArray<Pipeline> = [
  ingestWeek,
  normalizeWeek,
  aggregateWeekPipeline,
  computeRolling,
];

/** Live partitions of the weekly refresh at `now`: the latest published week of each tier. */
export const finraLivePartitions = (now: Date) =>
  latestPublishedPartitions(now).map(WEEKLY_BY_TIER.format);
