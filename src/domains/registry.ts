/**
 * The registries that tie domains to the framework. Entry points look pipelines up here
 * by name; nothing else imports a domain's pipeline module.
 */

import { SOURCE_PIPELINE_STAGE, sourcePipelineName } from "../core/ingest/source-pipeline";
import type { Pipeline } from "../core/pipeline/pipeline";
import { Registry } from "../core/pipeline/registry";
import type { Workflow } from "../core/workflow/workflow";
import { FINRA_PIPELINES } from "./finra_otc/pipelines";
import { weeklyRefresh } from "./finra_otc/workflow";
import { ingestPrices } from "./market_data/pipelines";
import { SOURCES } from "./sources-registry";
import { ingestTrades } from "./trade_data/pipelines";

/** Every registered pipeline, by name. */
export const PIPELINES = new Registry<Pipeline>("pipeline")
  .register(ingestPrices)
  .register(ingestTrades);
for (const pipeline of FINRA_PIPELINES) PIPELINES.register(pipeline);

/** Every registered workflow, by name. */
export const WORKFLOWS = new Registry<Workflow>("workflow").register(weeklyRefresh);

/** What listing a pipeline's partitions needs: its name and its `core_manifest` domain and stage. */
export interface ListedPipeline {
  readonly name: string;
  readonly domain: string;
  readonly stage: string;
}

/**
 * Pipelines whose partitions can be listed: the registered ones, then each source's one-off
 * pipeline `<domain>.ingest_<source>` (the runs of `dataspine ingest`).
 */
export const LISTED_PIPELINES: ReadonlyArray<ListedPipeline> = [
  ...PIPELINES.list(),
  ...SOURCES.list().map((source) => ({
    name: sourcePipelineName(source),
    domain: source.domain,
    stage: SOURCE_PIPELINE_STAGE,
  })),
];

/** The listed pipeline of that name, if any. */
export const listedPipeline = (name: string): ListedPipeline | undefined =>
  LISTED_PIPELINES.find((p) => p.name === name);
