/**
 * The dataspine Worker: HTTP API, Cron Trigger, and the `PartitionActor` (one per partition)
 * and `BackfillCoordinator` (one per backfill) Durable Objects.
 */
import { app } from "./app";
import type { Env } from "./env";
import { scheduled } from "./scheduled";

export { BackfillCoordinator } from "./backfill-coordinator";
export { PartitionActor } from "./partition-actor";

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
