/**
 * Bindings of the dataspine Worker (see wrangler.toml). Secrets: `DATASPINE_API_TOKEN`,
 * `DATASPINE_READ_TOKEN`, `LIBSQL_AUTH_TOKEN`, `POLYGON_API_KEY` (`wrangler secret put …`,
 * locally `.dev.vars`).
 */
import type { BackfillCoordinator } from "./backfill-coordinator";
import type { PartitionActor } from "./partition-actor";
import type { ReplayCoordinator } from "./replay-coordinator";

export interface Env {
  readonly PARTITION_ACTOR: DurableObjectNamespace<PartitionActor>;
  /** One coordinator per backfill id (`POST /backfills`). */
  readonly BACKFILL_COORDINATOR: DurableObjectNamespace<BackfillCoordinator>;
  /** One coordinator per replay id (`POST /replays`). */
  readonly REPLAY_COORDINATOR: DurableObjectNamespace<ReplayCoordinator>;
  /** libSQL over HTTP: a Turso database, `turso dev`, or `dataspine libsql-server`. */
  readonly LIBSQL_URL: string;
  readonly LIBSQL_AUTH_TOKEN?: string;
  /** The write token: every mutating or upstream-fetching route requires it; it also reads. */
  readonly DATASPINE_API_TOKEN?: string;
  /** The read token: reads only. Optional. */
  readonly DATASPINE_READ_TOKEN?: string;
  /** `true` opens every read route without a token (a private network only). Default false. */
  readonly DATASPINE_PUBLIC_READS?: string;
  /** Largest request body in bytes (413 above it). Default 1048576. */
  readonly DATASPINE_MAX_BODY_BYTES?: string;
  readonly MARKET_DATA_BASE_URL?: string;
  readonly POLYGON_API_KEY?: string;
  /** Execution (trade) feed; default MARKET_DATA_BASE_URL. */
  readonly TRADES_BASE_URL?: string;
  /** FINRA OTC transparency weekly files; default MARKET_DATA_BASE_URL. */
  readonly FINRA_BASE_URL?: string;
  readonly LIVE_UNIVERSES?: string;
  /** Clients whose trades the cron ingests (comma-separated). Default none. */
  readonly LIVE_CLIENTS?: string;
  readonly FETCH_CONCURRENCY?: string;
  readonly REQUEST_TIMEOUT_MS?: string;
  readonly RETRY_MAX_ATTEMPTS?: string;
  readonly RETRY_BASE_DELAY_MS?: string;
  /** Retries across invocations (actor alarms) after a run failed transiently. Default 5. */
  readonly ALARM_MAX_ATTEMPTS?: string;
  /** First alarm delay; doubles per attempt up to 15 minutes. Default 30000. */
  readonly ALARM_BASE_DELAY_MS?: string;
  readonly LOG_LEVEL?: string;
}
