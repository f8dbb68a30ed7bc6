/**
 * The dataspine Worker: HTTP API, Cron Trigger, and the `PartitionActor` Durable Object.
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
