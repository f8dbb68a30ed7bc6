/**
 * `GET /partitions?pipeline=…` (from core_manifest) and `GET /partitions/:pipeline/:partition`
 * (from the partition's actor).
 */
import { Schema } from "effect";
import { PartitionNotFound, UnknownPipeline } from "../../core/model/errors";
import { resolveRun } from "../../core/pipeline/runner";
import { listPartitions } from "../../core/store/manifest";
import { LISTED_PIPELINES, listedPipeline, PIPELINES } from "../../domains/registry";
import { routes, runEffect } from "../hono-effect";
import { Limit, Text } from "../request-schemas";
import { params, query } from "../validate";

const ListQuery = Schema.Struct({
  pipeline: Text,
  limit: Limit(1000, 100),
});

export const PartitionParams = Schema.Struct({ pipeline: Text, partition: Text });

export const partitionRoutes = routes()
  .get("/partitions", query(ListQuery), async (c) => {
    const { pipeline: name, limit } = c.req.valid("query");
    const pipeline = listedPipeline(name);
    if (!pipeline) {
      throw new UnknownPipeline({
        pipeline: name,
        message: `unknown pipeline "${name}"; known: ${LISTED_PIPELINES.map((p) => p.name).join(", ")}`,
      });
    }
    const partitions = await runEffect(c.env, listPartitions(pipeline, limit));
    return c.json({ pipeline: pipeline.name, partitions });
  })
  .get("/partitions/:pipeline/:partition", params(PartitionParams), async (c) => {
    const path = c.req.valid("param");
    const { pipeline, partitionKey } = await runEffect(
      c.env,
      resolveRun(PIPELINES, path.pipeline, path.partition),
    );
    const status = await c.env.ACTORS.partition(pipeline.name, partitionKey).status();
    if (!status) {
      throw new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` });
    }
    return c.json(status);
  });
