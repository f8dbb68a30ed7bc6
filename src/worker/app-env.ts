/**
 * What the HTTP app and the cron need from their host, whichever it is: configuration
 * variables (wrangler.toml `[vars]` and secrets on Workers, the process environment on Deno)
 * and `ACTORS`, the way to reach partition actors and coordinators. Nothing here is
 * Cloudflare-specific, so Deno loads the same app.
 */
import type { ActorBindings } from "../actors/contract";

/**
 * Configuration variables. Secrets: `DATASPINE_API_TOKEN`, `DATASPINE_READ_TOKEN`,
 * `LIBSQL_AUTH_TOKEN`, `POLYGON_API_KEY`, `ALERT_WEBHOOK_URL`.
 */
export interface AppVars {
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
  /** Alert sinks and delivery (docs/alerts.md); the webhook URL is a secret. */
  readonly ALERT_WEBHOOK_URL?: string;
  readonly ALERT_WEBHOOK_MIN_SEVERITY?: string;
  readonly ALERT_WEBHOOK_TIMEOUT_MS?: string;
  readonly ALERT_LOG_MIN_SEVERITY?: string;
  readonly ALERT_RETRY_BASE_MS?: string;
  readonly ALERT_RETRY_MAX_MS?: string;
  readonly ALERT_MAX_ATTEMPTS?: string;
  readonly ALERT_BATCH_SIZE?: string;
}

/** The Hono app's bindings: the variables and the host's actors. */
export interface AppEnv extends AppVars {
  readonly ACTORS: ActorBindings;
}

/** The variables as a plain lookup (for `SourceConfig.fromVars` and the retry policy). */
export const varsOf = (vars: AppVars): Readonly<Record<string, string | undefined>> =>
  vars as unknown as Readonly<Record<string, string | undefined>>;
