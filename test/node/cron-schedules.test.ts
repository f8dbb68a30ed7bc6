/**
 * One source of truth for the cron: wrangler.toml's `[triggers] crons`, as wrangler itself
 * reads them, are the schedules the Deno host registers with `Deno.cron`.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { unstable_readConfig } from "wrangler";
import { CRON_SCHEDULES, LIVE_CRON, WEEKLY_WORKFLOW_CRON } from "../../src/worker/cron-schedules";

describe("cron schedules", () => {
  it("wrangler.toml triggers exactly CRON_SCHEDULES, in order", () => {
    const config = unstable_readConfig(
      { config: fileURLToPath(new URL("../../wrangler.toml", import.meta.url)) },
      {},
    );
    expect(config.triggers.crons).toEqual(CRON_SCHEDULES.map((s) => s.cron));
    expect(CRON_SCHEDULES.map((s) => s.cron)).toEqual([LIVE_CRON, WEEKLY_WORKFLOW_CRON]);
  });
});
