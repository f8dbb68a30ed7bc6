/**
 * `GET /partitions?pipeline=…` (from core_manifest) and `GET /partitions/:pipeline/:partition`
 * (from the partition's actor).
 */
import { UnknownPipeline } from "../../core/errors";
import { listPartitions } from "../../core/manifest";
import { resolveRun } from "../../core/runner";
import { PIPELINES } from "../../domains/registry";
import { partitionActor } from "../actors";
import { routes, runEffect } from "../handler";
import { InvalidRequest, PartitionNotFound } from "../http-errors";

export const partitionRoutes = routes()
  .get("/partitions", async (c) => {
    const name = c.req.query("pipeline");
    if (!name) throw new InvalidRequest({ message: "query parameter pipeline is required" });
    const limitText = c.req.query("limit") ?? "100";
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new InvalidRequest({ message: `limit must be an integer 1..1000, got ${limitText}` });
    }
    const pipeline = PIPELINES.get(name);
    if (!pipeline) {
      throw new UnknownPipeline({ pipeline: name, message: `unknown pipeline "${name}"` });
    }
    const partitions = await runEffect(
      c.env,
      listPartitions(pipeline.domain, pipeline.stage, limit),
    );
    return c.json({ pipeline: pipeline.name, partitions });
  })
  .get("/partitions/:pipeline/:partition", async (c) => {
    const { pipeline, partitionKey } = await runEffect(
      c.env,
      resolveRun(PIPELINES, c.req.param("pipeline"), c.req.param("partition")),
    );
    const status = await partitionActor(c.env, pipeline.name, partitionKey).status();
    if (!status) {
      throw new PartitionNotFound({ message: `${pipeline.name} ${partitionKey} has never run` });
    }
    return c.json(status);
  });
