/**
 * Cron Trigger: the schedules of wrangler.toml (`cron-schedules.ts`), each running its
 * work (`live-runs.ts`) through the Durable Objects.
 */

import { appEnvOf } from "./actors";
import { runCron } from "./live-runs";

export { WEEKLY_WORKFLOW_CRON } from "./cron-schedules";

/** The `scheduled` handler: the weekly cron runs workflows, every other cron live ingestion. */
export const scheduled: ExportedHandlerScheduledHandler<Env> = (controller, env, ctx) => {
  ctx.waitUntil(runCron(appEnvOf(env), controller.cron, controller.scheduledTime));
};
