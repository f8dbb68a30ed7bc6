/**
 * `dataspine pipelines` and `dataspine partitions <pipeline>`: what exists and what ran.
 */
import * as Effect from "effect/Effect";
import { listPartitions } from "../../core/store/manifest";
import { LISTED_PIPELINES, listedPipeline, PIPELINES } from "../../domains/registry";
import { type Command, cliLayer, commandArgs, print, UsageError } from "./shared";

export const pipelinesCommand: Command = {
  name: "pipelines",
  offline: true,
  usage: "dataspine pipelines [--json]",
  run: async (argv) => {
    const { values } = commandArgs(argv, {});
    const list = PIPELINES.list().map((p) => ({
      name: p.name,
      domain: p.domain,
      stage: p.stage,
      partition_example: p.partitionExample,
      description: p.description,
    }));
    print(
      values.json,
      list,
      list.map((p) => `${p.name}\t${p.partition_example}\t${p.description}`).join("\n"),
    );
    return 0;
  },
};

export const partitionsCommand: Command = {
  name: "partitions",
  usage: "dataspine partitions <pipeline | <domain>.ingest_<source>> [--json]",
  run: async (argv) => {
    const { values, positionals } = commandArgs(argv, {});
    const found = positionals[0] ? listedPipeline(positionals[0]) : undefined;
    if (!found) {
      throw new UsageError(
        `partitions needs a pipeline: ${LISTED_PIPELINES.map((p) => p.name).join(", ")}`,
      );
    }
    const rows = await Effect.runPromise(listPartitions(found).pipe(Effect.provide(cliLayer())));
    print(
      values.json,
      rows,
      rows.length === 0
        ? "no partitions yet"
        : rows
            .map((r) => `${r.partition_key}\t${r.status}\t${r.row_count ?? "-"}\t${r.capture_id}`)
            .join("\n"),
    );
    return 0;
  },
};
