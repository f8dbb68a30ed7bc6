/**
 * Bindings of the dataspine Worker (see wrangler.toml): the app's variables and the Durable
 * Object namespaces. Secrets: `DATASPINE_API_TOKEN`, `DATASPINE_READ_TOKEN`,
 * `LIBSQL_AUTH_TOKEN`, `POLYGON_API_KEY`, `ALERT_WEBHOOK_URL` (`wrangler secret put …`,
 * locally `.dev.vars`).
 *
 * The namespaces are typed by the actor contract, not by the Durable Object classes, so the
 * classes (which take this `Env`) and `Env` do not import each other; `index.ts` checks that
 * each class implements its contract.
 */
import type {
  AlertDispatcherApi,
  BackfillCoordinatorApi,
  PartitionActorApi,
  ReplayCoordinatorApi,
} from "../actors/contract";
import type { AppVars } from "./app-env";

/** A Durable Object namespace whose stubs speak `Api` over RPC. */
type Namespace<Api> = DurableObjectNamespace<Api & Rpc.DurableObjectBranded>;

export interface Env extends AppVars {
  readonly PARTITION_ACTOR: Namespace<PartitionActorApi>;
  /** One coordinator per backfill id (`POST /backfills`). */
  readonly BACKFILL_COORDINATOR: Namespace<BackfillCoordinatorApi>;
  /** One coordinator per replay id (`POST /replays`). */
  readonly REPLAY_COORDINATOR: Namespace<ReplayCoordinatorApi>;
  /** The one alert dispatcher (`alerts`): delivers the alert outbox. */
  readonly ALERT_DISPATCHER: Namespace<AlertDispatcherApi>;
}
