/**
 * `SOURCES`: every payload format dataspine can ingest, by name. Entry points (the `ingest`
 * command, pipelines) look sources up here; nothing else imports a domain's source module.
 */

import type { Source } from "../core/ingest/source";
import { Registry } from "../core/pipeline/registry";
import { finraOtcWeeklySource } from "./finra_otc/source";
import { alphaVantageDailySource } from "./market_data/source-alphavantage";
import { iexQuoteSource } from "./market_data/source-iex";
import { polygonAggsSource } from "./market_data/source-polygon";
import { executionCsvSource } from "./trade_data/source";

/** Every registered source, by name. */
export const SOURCES = new Registry<Source>("source")
  .register(iexQuoteSource)
  .register(polygonAggsSource)
  .register(alphaVantageDailySource)
  .register(executionCsvSource)
  .register(finraOtcWeeklySource);
