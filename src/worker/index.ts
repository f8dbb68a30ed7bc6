/**
 * The dataspine Worker: HTTP API, Cron Trigger, and the `PartitionActor` (one per partition)
 * `BackfillCoordinator` (one per backfill) and `ReplayCoordinator` (one per replay) Durable
 * Objects, and the `AlertDispatcher` (one) that delivers alerts.
 */
import { appEnvOf } from "./actors";
import { app } from "./app";
import { scheduled } from "./scheduled";

export { AlertDispatcher } from "./alert-dispatcher";
export { BackfillCoordinator } from "./backfill-coordinator";
export { PartitionActor } from "./partition-actor";
export { ReplayCoordinator } from "./replay-coordinator";

export default {
  fetch: (request, env, ctx) => app.fetch(request, appEnvOf(env), ctx),
  scheduled,
} satisfies ExportedHandler<Env>;
