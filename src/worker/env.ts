/**
 * Bindings of the dataspine Worker (see wrangler.toml): the app's variables and the Durable
 * Object namespaces. Secrets: `DATASPINE_API_TOKEN`, `DATASPINE_READ_TOKEN`,
 * `LIBSQL_AUTH_TOKEN`, `POLYGON_API_KEY`, `ALERT_WEBHOOK_URL` (`wrangler secret put …`,
 * locally `.dev.vars`).
 */
import type { AlertDispatcher } from "./alert-dispatcher";
import type { AppVars } from "./app-env";
import type { BackfillCoordinator } from "./backfill-coordinator";
import type { PartitionActor } from "./partition-actor";
import type { ReplayCoordinator } from "./replay-coordinator";

export interface Env extends AppVars {
  readonly PARTITION_ACTOR: DurableObjectNamespace<PartitionActor>;
  /** One coordinator per backfill id (`POST /backfills`). */
  readonly BACKFILL_COORDINATOR: DurableObjectNamespace<BackfillCoordinator>;
  /** One coordinator per replay id (`POST /replays`). */
  readonly REPLAY_COORDINATOR: DurableObjectNamespace<ReplayCoordinator>;
  /** The one alert dispatcher (`alerts`): delivers the alert outbox. */
  readonly ALERT_DISPATCHER: DurableObjectNamespace<AlertDispatcher>;
}
