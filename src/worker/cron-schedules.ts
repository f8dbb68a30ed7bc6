/**
 * The cron schedules, the one source of truth for both hosts: Workers read them from
 * wrangler.toml's `[triggers] crons` (a test keeps the two equal), Deno registers them with
 * `Deno.cron`.
 */

/** Live ingestion of the current partition of every live pipeline, every 15 minutes. */
export const LIVE_CRON = "*/15 * * * *";

/** Weekly workflows (`finra.weekly_refresh`): Tuesdays 06:00 UTC, after FINRA's Monday publication. */
export const WEEKLY_WORKFLOW_CRON = "0 6 * * 2";

/** Every schedule, in wrangler.toml's order, with the name Deno registers it under. */
export const CRON_SCHEDULES: ReadonlyArray<{ readonly name: string; readonly cron: string }> = [
  { name: "dataspine live ingestion", cron: LIVE_CRON },
  { name: "dataspine weekly workflows", cron: WEEKLY_WORKFLOW_CRON },
];
