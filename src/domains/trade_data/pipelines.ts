/**
 * `trade_data.ingest_trades`: one client's executions for one trading date.
 *
 * GET `{TRADES_BASE_URL}/v1/executions/{date}/{client_id}.csv` (the request retried per
 * `retryRequest`, the body streamed) → `execution_csv` source: decode + contracts (records
 * must belong to the partition's client and date) → quarantine → uniqueness → upsert into
 * `trades` in 2,000-row batches → anomalies for timestamp order and for trades without market
 * data → the detection of `trades` (`./detection`, run by the source). Weekends and NYSE
 * holidays are `no_data_expected`.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import { AppConfig } from "../../core/config/app-config";
import { collectingRun } from "../../core/ingest/collecting-run";
import { openConfiguredHttpPayload } from "../../core/ingest/fetch";
import { redactUrl } from "../../core/ingest/http-source";
import { ingestBytes, readPayload } from "../../core/ingest/ingest";
import { PipelineName } from "../../core/model/ids";
import type { RunContext } from "../../core/model/run-context";
import { definePipeline, type PartitionReplay } from "../../core/pipeline/define-pipeline";
import type { Pipeline } from "../../core/pipeline/pipeline";
import { resolveAnomaliesLater } from "../../core/store/anomalies";
import { DAILY_BY_CLIENT, type DateClientPartition } from "./partition";
import { EXECUTION_CSV_DEFINITION, EXECUTION_CSV_SOURCE, executionCsvSource } from "./source";
import { canonicalTrade, readStoredTrades, readStoredTradesPage } from "./store";

const NAME = PipelineName.make("trade_data.ingest_trades");

/** The executions URL of one client and date. */
export const executionsUrl = (baseUrl: string, date: string, clientId: string): string =>
  `${baseUrl}/v1/executions/${date}/${encodeURIComponent(clientId)}.csv`;

/** The executions URL of a partition, under the configured `TRADES_BASE_URL`. */
const partitionUrl = (partition: DateClientPartition) =>
  Effect.map(AppConfig, ({ sources }) =>
    executionsUrl(sources.tradesBaseUrl, partition.date, partition.clientId),
  );

const run = (ctx: RunContext, partition: DateClientPartition) =>
  Effect.gen(function* () {
    const url = yield* partitionUrl(partition);
    const bytes = yield* openConfiguredHttpPayload(url, EXECUTION_CSV_SOURCE);
    const report = yield* ingestBytes(executionCsvSource, bytes, ctx, {
      where: redactUrl(url),
      hints: { date: partition.date, scope: partition.clientId },
    });
    // The partition has arrived: the cron's MissingData alert of it, if any, is resolved.
    yield* resolveAnomaliesLater(ctx, [{ rule: "MISSING_DATA", key: ctx.partitionKey }]).pipe(
      Effect.catchAll((error) => Effect.logWarning("MissingData resolution skipped", error)),
    );
    return {
      status: "complete",
      counts: report.counts,
      rejections: report.rejections,
      details: {
        date: partition.date,
        client_id: partition.clientId,
        batches: report.batches,
        ...report.details,
      },
    } as const;
  });

/**
 * Replay: the same request and CSV decode as a run, every valid trade kept in memory (first
 * of a repeated trade_id, as uniqueness keeps) instead of written; nothing is quarantined,
 * audited or upserted. Canonical record = `trades` row without audit columns.
 */
const replay: PartitionReplay<DateClientPartition> = {
  key: ["client_id", "trade_id"],
  records: (partition) =>
    Effect.gen(function* () {
      const url = yield* partitionUrl(partition);
      const bytes = yield* openConfiguredHttpPayload(url, EXECUTION_CSV_SOURCE);
      const hints = { date: partition.date, scope: partition.clientId };
      const collector = collectingRun(
        EXECUTION_CSV_DEFINITION,
        { nowMs: yield* Clock.currentTimeMillis, hints },
        (t) => `${t.client_id}\u0000${t.trade_id}`,
      );
      yield* readPayload(executionCsvSource, bytes, collector.run, {
        where: redactUrl(url),
        hints,
      });
      return collector.rows().map(canonicalTrade);
    }).pipe(Effect.withSpan("TradeData.replayTrades")),
  stored: (partition) => readStoredTrades(partition.date, partition.clientId),
  storedPage: (partition, after, limit) =>
    readStoredTradesPage(partition.date, partition.clientId, after, limit),
};

/** The pipeline definition registered in `PIPELINES`. */
export const ingestTrades: Pipeline = definePipeline({
  name: NAME,
  domain: "trade_data",
  stage: "INGEST",
  description: "One client's executions for one trading date (execution CSV feed)",
  partitions: DAILY_BY_CLIENT,
  replay,
  span: "TradeData.ingestTrades",
  run,
});
