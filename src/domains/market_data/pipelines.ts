/**
 * `market_data.ingest_prices`: daily OHLCV bars of a universe for one trading date.
 *
 * fetch (Polygon aggregates, one request per symbol, bounded concurrency) → map fields →
 * decode + contracts → quarantine invalid records (the batch continues) → upsert valid
 * rows with the run's capture id → audit. The runner owns the manifest and retries.
 */
import { Clock, Effect, Either } from "effect";
import { closedSessionReason } from "../../calendar/nyse";
import { latestClosedTradingDay } from "../../calendar/sessions";
import { datesInRange } from "../../core/backfill/backfill";
import { InvalidBackfillParams } from "../../core/backfill/errors";
import type { BackfillParams, DateRange } from "../../core/backfill/range";
import { mapFields } from "../../core/ingest/mapping";
import { retryRequest } from "../../core/ingest/retry";
import type { RunAuditEvent } from "../../core/model/audit-event";
import { PipelineName } from "../../core/model/ids";
import { summarizeRejections } from "../../core/model/quality";
import type { RunContext } from "../../core/model/run-context";
import { auditRun } from "../../core/pipeline/audit-log";
import { noDataExpected } from "../../core/pipeline/no-data-expected";
import type { Pipeline, ReplayMode } from "../../core/pipeline/pipeline";
import { SourceConfig } from "../../core/pipeline/source-config";
import { type QuarantinedRecord, quarantineRecords } from "../../core/store/quarantine";
import { detectDailyBarAnomalies } from "./detection";
import { type DateUniversePartition, formatPartition, parseDateUniverse } from "./partition";
import { type DailyBar, decodeDailyBar } from "./schema";
import {
  fetchPolygonDaily,
  POLYGON_DAILY_MAPPING,
  POLYGON_SOURCE,
  type RawRecord,
} from "./sources";
import { readStoredBars, upsertDailyBars } from "./store";
import { UNIVERSES, universeSymbols } from "./universes";

const NAME = PipelineName.make("market_data.ingest_prices");

/** Maps and checks every raw record; splits them into canonical bars and quarantine. */
export const validateBars = (
  records: ReadonlyArray<RawRecord>,
  tradingDate: string,
  nowMs: number,
) => {
  const valid: Array<DailyBar> = [];
  const rejected: Array<QuarantinedRecord> = [];
  records.forEach((record, ordinal) => {
    const mapped = mapFields(record.raw, POLYGON_DAILY_MAPPING, {
      symbol: record.symbol,
      trading_date: tradingDate,
      source: POLYGON_SOURCE,
    });
    const decoded = decodeDailyBar(mapped ?? record.raw, nowMs);
    if (Either.isRight(decoded)) valid.push(decoded.right);
    else {
      rejected.push({
        source: POLYGON_SOURCE,
        recordIndex: ordinal,
        raw: JSON.stringify({ ticker: record.symbol, index: record.index, result: record.raw }),
        reasons: decoded.left,
      });
    }
  });
  return { valid, rejected };
};

/** One Polygon daily-aggregates request per symbol of the partition, in symbol order. */
const fetchDay = (partition: DateUniversePartition) =>
  Effect.flatMap(SourceConfig, (config) =>
    Effect.forEach(
      partition.symbols,
      (symbol) =>
        retryRequest(
          fetchPolygonDaily({
            baseUrl: config.polygonBaseUrl,
            apiKey: config.polygonApiKey,
            timeoutMs: config.requestTimeoutMs,
            symbol,
            from: partition.date,
            to: partition.date,
          }),
          config.retry,
        ),
      { concurrency: config.fetchConcurrency },
    ),
  );

const run = (ctx: RunContext) =>
  Effect.gen(function* () {
    const partition = yield* parseDateUniverse(NAME, ctx.partitionKey);
    const audit = auditRun(ctx);
    const closed = closedSessionReason(partition.date);
    if (closed !== undefined) return yield* noDataExpected(ctx, closed);

    const perSymbol = yield* fetchDay(partition);
    const records = perSymbol.flat();
    const symbolsWithoutData = partition.symbols.filter((_, i) => perSymbol[i]?.length === 0);
    yield* audit([
      {
        eventType: "ingested",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { received: records.length },
        metadata: {
          source: POLYGON_SOURCE,
          symbols: partition.symbols.length,
          symbols_without_data: symbolsWithoutData,
        },
      },
    ]);

    const nowMs = yield* Clock.currentTimeMillis;
    const { valid, rejected } = validateBars(records, partition.date, nowMs);
    const quarantined = yield* quarantineRecords(ctx, rejected);
    const validationEvents: Array<RunAuditEvent> = [
      {
        eventType: "normalized",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { mapped: records.length },
        metadata: { mapping: "polygon_daily" },
      },
      {
        eventType: "validated",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { valid: valid.length },
      },
    ];
    if (rejected.length > 0) {
      validationEvents.push({
        eventType: "validation_failed",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { quarantined: rejected.length },
        metadata: {
          reasons: rejected.slice(0, 50).map((r) => ({ index: r.recordIndex, reasons: r.reasons })),
        },
      });
    }
    yield* audit(validationEvents);

    const written = yield* upsertDailyBars(valid, ctx);
    yield* audit([
      {
        eventType: "written",
        entityType: "table",
        entityId: "market_prices",
        newState: { written },
      },
    ]);
    // `nowMs` was taken when the payloads had arrived: the ingestion time for latency.
    const detection = yield* detectDailyBarAnomalies(ctx, partition, valid, nowMs);
    return {
      status: "complete",
      counts: { received: records.length, valid: valid.length, quarantined, written },
      rejections: summarizeRejections(rejected),
      details: {
        universe: partition.universe,
        date: partition.date,
        symbols_without_data: symbolsWithoutData,
        detection,
      },
    } as const;
  }).pipe(Effect.withSpan("MarketData.ingestPrices"));

/**
 * Backfill partitions: every calendar day of the range for one universe (`{universe}`).
 * Weekends and holidays are listed too: their runs record `no_data_expected`, so every
 * date of a backfilled range has an answer, and the calendar is consulted in one place.
 */
const partitionsForRange = (range: DateRange, params: BackfillParams) => {
  const fail = (message: string) =>
    Either.left(new InvalidBackfillParams({ pipeline: NAME, message }));
  const known = Object.keys(UNIVERSES).join(", ");
  const unknown = Object.keys(params).filter((k) => k !== "universe");
  if (unknown.length > 0) return fail(`unknown params ${unknown.join(", ")}; accepted: universe`);
  const universe = params.universe;
  if (universe === undefined) return fail(`params.universe is required (one of: ${known})`);
  if (universeSymbols(universe) === undefined) {
    return fail(`unknown universe "${universe}" (one of: ${known})`);
  }
  return Either.right(datesInRange(range).map((date) => formatPartition(date, universe)));
};

/**
 * Replay: the same requests, mapping and contracts as a run, the valid bars returned instead
 * of written (quarantine, audit and tables untouched). Canonical record = `market_prices`
 * row without audit columns.
 */
const replay: ReplayMode = {
  key: ["symbol", "trading_date", "source"],
  defaultParams: { universe: "demo" },
  records: (key) =>
    Effect.gen(function* () {
      const partition = yield* parseDateUniverse(NAME, key);
      if (closedSessionReason(partition.date) !== undefined) return [];
      const records = (yield* fetchDay(partition)).flat();
      const nowMs = yield* Clock.currentTimeMillis;
      return validateBars(records, partition.date, nowMs).valid.map((bar) => ({ ...bar }));
    }).pipe(
      Effect.catchTag("InvalidPartitionKey", (e) => Effect.die(e)),
      Effect.withSpan("MarketData.replayPrices"),
    ),
  stored: (key) =>
    Effect.gen(function* () {
      const partition = yield* parseDateUniverse(NAME, key);
      return yield* readStoredBars(partition.date, partition.symbols, POLYGON_SOURCE);
    }).pipe(Effect.catchTag("InvalidPartitionKey", (e) => Effect.die(e))),
};

/** The pipeline definition registered in `PIPELINES`. */
export const ingestPrices: Pipeline = {
  name: NAME,
  domain: "market_data",
  stage: "INGEST",
  description: "Daily OHLCV bars of a universe for one trading date (Polygon aggregates)",
  partitionExample: "2025-01-02|demo",
  parsePartition: (key) =>
    Either.map(parseDateUniverse(NAME, key), (p) => formatPartition(p.date, p.universe)),
  livePartitions: (now, config) => {
    const date = latestClosedTradingDay(now.getTime());
    return config.liveUniverses.map((u) => formatPartition(date, u));
  },
  partitionsForRange,
  replay,
  // A session's bars are due: a trading day with none fails the gate (closed days do not run).
  qualityGate: { requireRecords: true },
  run: (ctx) =>
    run(ctx).pipe(
      // The runner already validated the key; a failure here is a programming error.
      Effect.catchTag("InvalidPartitionKey", (e) => Effect.die(e)),
    ),
};
