/**
 * `GET /partitions?pipeline=…` (from core_manifest), `GET /partitions/:pipeline/:partition`
 * (from the partition's actor) and `GET /readiness` (core_data_readiness).
 */
import { PartitionNotFound, UnknownPipeline } from "../../core/model/errors";
import { resolveRun } from "../../core/pipeline/runner";
import { listPartitions } from "../../core/store/manifest";
import { listReadiness } from "../../core/store/readiness";
import { LISTED_PIPELINES, listedPipeline, PIPELINES } from "../../domains/registry";
import { handle, mount } from "../api/register";
import { GET_PARTITION, LIST_PARTITIONS, READINESS } from "../api/runs";

export const partitionRoutes = mount(
  handle(LIST_PARTITIONS)(async (_c, { query }, { run, fail }) => {
    const pipeline = listedPipeline(query.pipeline);
    if (!pipeline) {
      const known = LISTED_PIPELINES.map((p) => p.name).join(", ");
      return fail(
        new UnknownPipeline({
          pipeline: query.pipeline,
          message: `unknown pipeline "${query.pipeline}"; known: ${known}`,
        }),
      );
    }
    const partitions = await run(listPartitions(pipeline, query.limit));
    return { status: 200, body: { pipeline: pipeline.name, partitions } };
  }),
  handle(GET_PARTITION)(async (c, { params }, { run, fail }) => {
    const { pipeline, partitionKey } = await run(
      resolveRun(PIPELINES, params.pipeline, params.partition),
    );
    const status = await c.env.ACTORS.partition(pipeline.name, partitionKey).status();
    if (!status) {
      return fail(
        new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` }),
      );
    }
    return { status: 200, body: status };
  }),
  handle(READINESS)(async (_c, { query }, { run }) => {
    const { domain, week_ending: weekEnding, limit } = query;
    const rows = await run(
      listReadiness({
        ...(domain ? { domain } : {}),
        ...(weekEnding ? { weekEnding } : {}),
        limit,
      }),
    );
    return {
      status: 200,
      body: {
        domain: domain ?? null,
        week_ending: weekEnding ?? null,
        ready: rows.filter((r) => r.is_ready).length,
        not_ready: rows.filter((r) => !r.is_ready).length,
        readiness: rows,
      },
    };
  }),
);
