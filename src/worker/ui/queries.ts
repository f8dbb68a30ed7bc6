/**
 * What each status page shows, read through the stores only (`core/`): one effect per page,
 * run by the handlers in `routes/ui-pages.tsx`.
 */
import * as Effect from "effect/Effect";
import type { Pipeline } from "../../core/pipeline/pipeline";
import {
  type AnomalyFilter,
  countUnresolvedAnomalies,
  listAnomalies,
} from "../../core/store/anomalies";
import { countDeadLetters } from "../../core/store/dead-letters";
import { listOperations } from "../../core/store/operations";
import {
  type GridCursor,
  gridCells,
  gridWindow,
  partitionCaptures,
  partitionStatusCounts,
} from "../../core/store/partition-grid";
import { quarantineSample } from "../../core/store/quarantine";
import { PIPELINES } from "../../domains/registry";
import type { PipelineSummary } from "./views/summary";

/** Every registered pipeline with its partitions by status. */
export const pipelineSummaries = partitionStatusCounts.pipe(
  Effect.map((all) =>
    PIPELINES.list().map(
      (p): PipelineSummary => ({
        name: p.name,
        description: p.description,
        counts: all.find((c) => c.domain === p.domain && c.stage === p.stage)?.counts ?? {},
      }),
    ),
  ),
);

/** The overview: pipelines, and counts of what needs attention. */
export const overview = Effect.all(
  {
    pipelines: pipelineSummaries,
    unresolvedAnomalies: countUnresolvedAnomalies(),
    openDeadLetters: countDeadLetters("open"),
    operations: listOperations(0),
  },
  { concurrency: "unbounded" },
).pipe(
  Effect.map(({ pipelines, unresolvedAnomalies, openDeadLetters, operations }) => ({
    pipelines,
    attention: {
      unresolvedAnomalies,
      openDeadLetters,
      operationsRunning: operations.running.length,
    },
  })),
);

/** One page of a pipeline's grid and the pipeline's totals. */
export const pipelineGrid = (pipeline: Pipeline, cursor: GridCursor, days: number) =>
  Effect.gen(function* () {
    const [window, counts] = yield* Effect.all(
      [gridWindow(pipeline.domain, pipeline.stage, cursor, days), partitionStatusCounts],
      { concurrency: "unbounded" },
    );
    const oldest = window.days.at(-1);
    const newest = window.days[0];
    const cells =
      oldest && newest ? yield* gridCells(pipeline.domain, pipeline.stage, oldest, newest) : [];
    const totals =
      counts.find((c) => c.domain === pipeline.domain && c.stage === pipeline.stage)?.counts ?? {};
    return { window, cells, totals };
  });

/**
 * What the libSQL side knows of one partition: its captures, its anomalies (this pipeline's,
 * or its domain's when no pipeline recorded them) and a sample of its quarantine.
 */
export const partitionRecords = (pipeline: Pipeline, partitionKey: string) =>
  Effect.all(
    {
      captures: partitionCaptures(pipeline.domain, pipeline.stage, partitionKey),
      anomalies: listAnomalies({ partition: partitionKey, limit: 200 }).pipe(
        Effect.map((found) =>
          found.filter((a) =>
            a.pipeline === null ? a.domain === pipeline.domain : a.pipeline === pipeline.name,
          ),
        ),
      ),
      quarantine: quarantineSample(pipeline.domain, pipeline.stage, partitionKey),
    },
    { concurrency: "unbounded" },
  );

/** Anomalies matching the page's filters. */
export const anomalies = (filter: AnomalyFilter) => listAnomalies({ ...filter, limit: 200 });
