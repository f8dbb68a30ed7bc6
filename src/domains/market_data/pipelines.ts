/**
 * `market_data.ingest_prices`: daily OHLCV bars of a universe for one trading date, through
 * the `polygon_aggs` source.
 *
 * fetch (Polygon aggregates, one request per symbol, bounded concurrency) → the source's
 * records and decode (mapping + contracts, trading date = the partition's) → quarantine
 * invalid records (the batch continues) → upsert valid rows with the run's capture id →
 * audit → the partition's detection. The runner owns the manifest and retries.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import * as Redacted from "effect/Redacted";
import { AppConfig } from "../../core/config/app-config";
import { collectingRun } from "../../core/ingest/collecting-run";
import { fetchJson, redactUrl } from "../../core/ingest/http-source";
import { validationEvents } from "../../core/ingest/ingest";
import { retryRequest } from "../../core/ingest/retry";
import type { SourceRecord, SourceRun } from "../../core/ingest/source";
import { defineSource } from "../../core/ingest/source-run";
import { PermanentSourceError } from "../../core/model/errors";
import { PipelineName } from "../../core/model/ids";
import type { RunContext } from "../../core/model/run-context";
import { auditRun } from "../../core/pipeline/audit-log";
import { definePipeline, type PartitionReplay } from "../../core/pipeline/define-pipeline";
import type { Pipeline } from "../../core/pipeline/pipeline";
import { detectDailyBarAnomalies } from "./detection";
import { DAILY_BY_UNIVERSE, type DateUniversePartition } from "./partition";
import type { DailyBar } from "./schema";
import { POLYGON_AGGS_DEFINITION, polygonAggsRecords } from "./source-polygon";
import { POLYGON_SOURCE, polygonDailyUrl } from "./sources";
import { readStoredBars, readStoredBarsPage } from "./store";

const NAME = PipelineName.make("market_data.ingest_prices");

/** One symbol's aggregates: the source's records of the body, or the typed refusal. */
const fetchSymbol = (partition: DateUniversePartition, symbol: string) =>
  Effect.flatMap(AppConfig, ({ sources: config }) => {
    const url = polygonDailyUrl({
      baseUrl: config.polygonBaseUrl,
      apiKey: Option.match(config.polygonApiKey, { onNone: () => "", onSome: Redacted.value }),
      symbol,
      from: partition.date,
      to: partition.date,
    });
    const fetched = Effect.flatMap(
      fetchJson({ source: POLYGON_SOURCE, url, timeoutMs: config.requestTimeoutMs }),
      (body) =>
        Effect.mapError(
          polygonAggsRecords(body, symbol),
          (refusal) =>
            new PermanentSourceError({
              source: POLYGON_SOURCE,
              url: redactUrl(url),
              reason: refusal.reason,
              message: refusal.message,
              payload: JSON.stringify(body).slice(0, 65_536),
            }),
        ),
    );
    return retryRequest(fetched, config.retry);
  });

/**
 * Every symbol's records, in symbol order, numbered across the partition (quarantine rows
 * are keyed by that number), and the symbols the source had no bar for.
 */
const fetchDay = (partition: DateUniversePartition) =>
  Effect.flatMap(AppConfig, ({ sources: config }) =>
    Effect.forEach(partition.symbols, (symbol) => fetchSymbol(partition, symbol), {
      concurrency: config.fetchConcurrency,
    }),
  ).pipe(
    Effect.map((perSymbol) => {
      let ordinal = 0;
      const records = perSymbol.map((rs) =>
        rs.map((record): SourceRecord => ({ ...record, index: ordinal++ })),
      );
      return {
        records,
        withoutData: partition.symbols.filter((_, i) => records[i]?.length === 0),
      };
    }),
  );

/** Feeds each symbol's records to a source run. */
const feed = (run: SourceRun, perSymbol: ReadonlyArray<ReadonlyArray<SourceRecord>>) =>
  Effect.forEach(perSymbol, (records) => run.accept(records), { discard: true });

/** `polygon_aggs` as this pipeline runs it: quarantined under `polygon`, the rows' source. */
const partitionSource = (written: Array<DailyBar>) =>
  defineSource<DailyBar>({
    ...POLYGON_AGGS_DEFINITION,
    name: POLYGON_SOURCE,
    // The partition's own detection runs after the audit, over the bars written.
    detection: {
      name: "market_prices",
      rules: [],
      description: "the bars ingest_prices wrote",
      open: () => ({
        observe: (rows) => {
          written.push(...rows);
        },
        finish: Effect.succeed({}),
      }),
    },
  });

const run = (ctx: RunContext, partition: DateUniversePartition) =>
  Effect.gen(function* () {
    const audit = auditRun(ctx);
    const { records, withoutData } = yield* fetchDay(partition);
    // Taken when the payloads had arrived: the ingestion time for contracts and latency.
    const nowMs = yield* Clock.currentTimeMillis;
    const written: Array<DailyBar> = [];
    const source = partitionSource(written).open(ctx, { nowMs, hints: { date: partition.date } });
    yield* feed(source, records);
    const report = yield* source.finish;
    yield* audit([
      {
        eventType: "ingested",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { received: report.counts.received },
        metadata: {
          source: POLYGON_SOURCE,
          symbols: partition.symbols.length,
          symbols_without_data: withoutData,
        },
      },
      {
        eventType: "normalized",
        entityType: "partition",
        entityId: ctx.partitionKey,
        newState: { mapped: report.counts.received },
        metadata: { mapping: "polygon_daily" },
      },
      ...validationEvents(ctx, report),
      {
        eventType: "written",
        entityType: "table",
        entityId: "market_prices",
        newState: { written: report.counts.written },
      },
    ]);
    const detection = yield* detectDailyBarAnomalies(ctx, partition, written, nowMs);
    return {
      status: "complete",
      counts: report.counts,
      rejections: report.rejections,
      details: {
        universe: partition.universe,
        date: partition.date,
        symbols_without_data: withoutData,
        detection,
      },
    } as const;
  });

/**
 * Replay: the same requests, source records and decode as a run, the valid bars returned
 * instead of written (quarantine, audit and tables untouched). Canonical record =
 * `market_prices` row without audit columns.
 */
const replay: PartitionReplay<DateUniversePartition> = {
  key: ["symbol", "trading_date", "source"],
  defaultParams: { universe: "demo" },
  records: (partition) =>
    Effect.gen(function* () {
      const { records } = yield* fetchDay(partition);
      const nowMs = yield* Clock.currentTimeMillis;
      const collector = collectingRun(POLYGON_AGGS_DEFINITION, {
        nowMs,
        hints: { date: partition.date },
      });
      yield* feed(collector.run, records);
      return collector.rows().map((bar) => ({ ...bar }));
    }).pipe(Effect.withSpan("MarketData.replayPrices")),
  stored: (partition) => readStoredBars(partition.date, partition.symbols, POLYGON_SOURCE),
  storedPage: (partition, after, limit) =>
    readStoredBarsPage(partition.date, partition.symbols, POLYGON_SOURCE, after, limit),
};

/** The pipeline definition registered in `PIPELINES`. */
export const ingestPrices: Pipeline = definePipeline({
  name: NAME,
  domain: "market_data",
  stage: "INGEST",
  description: "Daily OHLCV bars of a universe for one trading date (Polygon aggregates)",
  partitions: DAILY_BY_UNIVERSE,
  replay,
  // A session's bars are due: a trading day with none fails the gate (closed days do not run).
  qualityGate: { requireRecords: true },
  span: "MarketData.ingestPrices",
  run,
});
