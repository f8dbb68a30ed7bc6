/**
 * The registries that tie domains to the framework. Entry points look pipelines up here
 * by name; nothing else imports a domain's pipeline module.
 */
import type { Pipeline } from "../core/pipeline";
import { Registry } from "../core/registry";
import { ingestPrices } from "./market_data/pipelines";
import { ingestTrades } from "./trade_data/pipelines";

/** Every registered pipeline, by name. */
export const PIPELINES = new Registry<Pipeline>("pipeline")
  .register(ingestPrices)
  .register(ingestTrades);
