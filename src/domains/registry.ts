/**
 * The registries that tie domains to the framework. Entry points look pipelines up here
 * by name; nothing else imports a domain's pipeline module.
 */
import type { Pipeline } from "../core/pipeline";
import { Registry } from "../core/registry";
import type { Workflow } from "../core/workflow";
import { FINRA_PIPELINES } from "./finra_otc/pipelines";
import { weeklyRefresh } from "./finra_otc/workflow";
import { ingestPrices } from "./market_data/pipelines";
import { ingestTrades } from "./trade_data/pipelines";

/** Every registered pipeline, by name. */
export const PIPELINES = new Registry<Pipeline>("pipeline")
  .register(ingestPrices)
  .register(ingestTrades);
for (const pipeline of FINRA_PIPELINES) PIPELINES.register(pipeline);

/** Every registered workflow, by name. */
export const WORKFLOWS = new Registry<Workflow>("workflow").register(weeklyRefresh);
