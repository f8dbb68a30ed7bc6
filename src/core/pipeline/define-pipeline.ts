/**
 * `definePipeline`: a pipeline written against its `PartitionScheme`. The key is parsed once,
 * here, and the body gets the typed partition; a partition the NYSE calendar expects no data
 * for is `no_data_expected` before the body runs (replay: no records). The registry, runner,
 * backfill planner and cron see the scheme through the `Pipeline` fields it fills.
 */
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import type { PipelineError } from "../model/errors";
import type { PipelineName } from "../model/ids";
import type { QualityGate } from "../model/quality";
import type { RunContext } from "../model/run-context";
import { noDataExpected } from "./no-data-expected";
import type { PartitionScheme } from "./partition-scheme";
import type {
  Partitioning,
  Pipeline,
  PipelineOutcome,
  PipelineServices,
  ReplayMode,
} from "./pipeline";

/** Replay mode over typed partitions (see `ReplayMode`). */
export type PartitionReplay<P> = ReplayMode<P>;

export interface PipelineDefinition<P> {
  readonly name: PipelineName;
  readonly domain: string;
  readonly stage: string;
  readonly description: string;
  readonly partitions: PartitionScheme<P>;
  readonly dependsOn?: ReadonlyArray<string>;
  readonly qualityGate?: QualityGate;
  readonly replay?: PartitionReplay<P>;
  /** Span of a run, e.g. `MarketData.ingestPrices`. */
  readonly span: string;
  readonly run: (
    ctx: RunContext,
    partition: P,
  ) => Effect.Effect<PipelineOutcome, PipelineError, PipelineServices>;
}

/** The `Pipeline` fields a scheme fills for the pipeline `name`. */
export const partitioning = <P>(name: string, scheme: PartitionScheme<P>): Partitioning => {
  const range = scheme.range;
  const expected = scheme.expected;
  return {
    partitionExample: scheme.example,
    parsePartition: (key) => Either.map(scheme.parse(name, key), scheme.format),
    partitionDate: (key) =>
      Either.match(scheme.parse(name, key), { onLeft: () => undefined, onRight: scheme.dateOf }),
    livePartitions: (now, config) => scheme.live(now, config).map(scheme.format),
    ...(expected
      ? { expectedPartitions: (date, config) => expected(date, config).map(scheme.format) }
      : {}),
    ...(range
      ? {
          partitionsForRange: (dates, params) =>
            Either.map(range(name, dates, params), (ps) => ps.map(scheme.format)),
        }
      : {}),
  };
};

/**
 * The typed partition of a key the runner has already checked: a key that does not parse
 * here is a programming error (a defect), never a run failure.
 */
export const checkedPartition = <P>(scheme: PartitionScheme<P>, pipeline: string, key: string) =>
  Either.match(scheme.parse(pipeline, key), {
    onLeft: (error) => Effect.die(error),
    onRight: (partition) => Effect.succeed(partition),
  });

/** A pipeline over typed partitions; see the module doc. */
export const definePipeline = <P>(definition: PipelineDefinition<P>): Pipeline => {
  const { name, partitions: scheme } = definition;
  const typed = definition.replay;
  const typedPage = typed?.storedPage;
  const replay: ReplayMode | undefined = typed && {
    key: typed.key,
    ...(typed.defaultParams ? { defaultParams: typed.defaultParams } : {}),
    records: (key) =>
      Effect.flatMap(checkedPartition(scheme, name, key), (p) =>
        scheme.closedReason(p) === undefined ? typed.records(p) : Effect.succeed([]),
      ),
    stored: (key) => Effect.flatMap(checkedPartition(scheme, name, key), typed.stored),
    ...(typedPage
      ? {
          storedPage: (key, after, limit) =>
            Effect.flatMap(checkedPartition(scheme, name, key), (p) => typedPage(p, after, limit)),
        }
      : {}),
  };
  return {
    name,
    domain: definition.domain,
    stage: definition.stage,
    description: definition.description,
    ...partitioning(name, scheme),
    ...(definition.dependsOn ? { dependsOn: definition.dependsOn } : {}),
    ...(definition.qualityGate ? { qualityGate: definition.qualityGate } : {}),
    ...(replay ? { replay } : {}),
    run: (ctx) =>
      Effect.flatMap(checkedPartition(scheme, name, ctx.partitionKey), (p) => {
        const closed = scheme.closedReason(p);
        return closed === undefined ? definition.run(ctx, p) : noDataExpected(ctx, closed);
      }).pipe(Effect.withSpan(definition.span)),
  };
};
