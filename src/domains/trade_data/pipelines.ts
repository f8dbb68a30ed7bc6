/**
 * `trade_data.ingest_trades`: one client's executions for one trading date.
 *
 * GET `{TRADES_BASE_URL}/v1/executions/{date}/{client_id}.csv` (the request retried per
 * `retryRequest`, the body streamed) → `execution_csv` source: decode + contracts (records
 * must belong to the partition's client and date) → quarantine → uniqueness → upsert into
 * `trades` in 5,000-row batches → anomalies for timestamp order and for trades without market
 * data. Weekends and NYSE holidays are `no_data_expected`.
 */
import { Config, Effect, Either } from "effect";
import { auditRun } from "../../audit/audit-log";
import { isWeekend, nyseHoliday } from "../../calendar/nyse";
import { redactUrl } from "../../core/http-source";
import { PipelineName } from "../../core/ids";
import type { Pipeline, RunContext } from "../../core/pipeline";
import { SourceConfig } from "../../core/source-config";
import { openHttpPayload } from "../../core/sources-fetch";
import { ingestBytes } from "../../core/sources-ingest";
import { formatTradePartition, parseDateClient } from "./partition";
import { EXECUTION_CSV_SOURCE, executionCsvSource } from "./source";

const NAME = PipelineName.make("trade_data.ingest_trades");

/** Default execution feed: the local demo feed. */
export const DEFAULT_TRADES_BASE_URL = "http://127.0.0.1:8790";

/**
 * `TRADES_BASE_URL` from the runtime's config provider (the process environment in Node);
 * unset, the market-data base URL — the demo feed (default `http://127.0.0.1:8790`, or the
 * one `dataspine run` starts in-process), which serves both. Set it in production.
 */
export const tradesBaseUrl = (fallback: string) =>
  Config.string("TRADES_BASE_URL").pipe(
    Config.withDefault(fallback || DEFAULT_TRADES_BASE_URL),
    Config.map((url) => url.replace(/\/+$/, "")),
  );

/** The executions URL of one client and date. */
export const executionsUrl = (baseUrl: string, date: string, clientId: string): string =>
  `${baseUrl}/v1/executions/${date}/${encodeURIComponent(clientId)}.csv`;

const run = (ctx: RunContext) =>
  Effect.gen(function* () {
    const partition = yield* parseDateClient(NAME, ctx.partitionKey);
    const holiday = nyseHoliday(partition.date);
    if (holiday !== undefined || isWeekend(partition.date)) {
      const reason = holiday ? `NYSE holiday: ${holiday.name}` : "weekend";
      yield* auditRun(ctx)([
        {
          eventType: "no_data_expected",
          entityType: "partition",
          entityId: ctx.partitionKey,
          metadata: { reason },
        },
      ]);
      return {
        status: "no_data_expected",
        counts: { received: 0, valid: 0, quarantined: 0, written: 0 },
        details: { reason },
      } as const;
    }
    const config = yield* SourceConfig;
    const baseUrl = yield* Effect.orDie(tradesBaseUrl(config.polygonBaseUrl));
    const url = executionsUrl(baseUrl, partition.date, partition.clientId);
    const bytes = yield* openHttpPayload(url, {
      source: EXECUTION_CSV_SOURCE,
      timeoutMs: config.requestTimeoutMs,
      retry: config.retry,
    });
    const report = yield* ingestBytes(executionCsvSource, bytes, ctx, {
      where: redactUrl(url),
      hints: { date: partition.date, scope: partition.clientId },
    });
    return {
      status: "complete",
      counts: report.counts,
      details: {
        date: partition.date,
        client_id: partition.clientId,
        batches: report.batches,
        ...report.details,
      },
    } as const;
  }).pipe(Effect.withSpan("TradeData.ingestTrades"));

/** The pipeline definition registered in `PIPELINES`. */
export const ingestTrades: Pipeline = {
  name: NAME,
  domain: "trade_data",
  stage: "INGEST",
  description: "One client's executions for one trading date (execution CSV feed)",
  partitionExample: "2025-01-02|CLIENT_A",
  parsePartition: (key) =>
    Either.map(parseDateClient(NAME, key), (p) => formatTradePartition(p.date, p.clientId)),
  // Clients are not part of the runtime config yet: trade partitions are triggered explicitly.
  livePartitions: () => [],
  run: (ctx) =>
    run(ctx).pipe(
      // The runner already validated the key; a failure here is a programming error.
      Effect.catchTag("InvalidPartitionKey", (e) => Effect.die(e)),
    ),
};
