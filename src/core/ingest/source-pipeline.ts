/**
 * A one-off pipeline around one source and one payload location, so an ad-hoc ingestion
 * (`dataspine ingest`) goes through the runner like any registered pipeline: capture id,
 * manifest, audit, typed failures.
 */
import type * as FileSystem from "@effect/platform/FileSystem";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import type * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import { AppConfig } from "../config/app-config";
import { InvalidPartitionKey } from "../model/errors";
import { PartitionKey, PipelineName } from "../model/ids";
import { definePipeline } from "../pipeline/define-pipeline";
import { type PartitionScheme, splitDatedKey } from "../pipeline/partition-scheme";
import type { Pipeline } from "../pipeline/pipeline";
import { ingestLocation } from "./ingest";
import {
  describeLocation,
  hintsFromPartition,
  type Source,
  type SourceHints,
  type SourceLocation,
} from "./source";

const lastSegment = (path: string): string => {
  const parts = path.split(/[/\\]/).filter((p) => p.length > 0);
  return parts.at(-1) ?? path;
};

/**
 * The partition of an ingestion nobody named: `file:<basename>` for a file, `url:<host>/<last
 * path segment>` for a URL. Re-ingesting the same file name therefore updates the same
 * partition's quarantine rows and manifest history.
 */
export const defaultSourcePartition = (location: SourceLocation): string => {
  if (location._tag === "File") return `file:${lastSegment(location.path)}`.slice(0, 200);
  const url = new URL(location.url);
  return `url:${url.host}/${lastSegment(url.pathname)}`.slice(0, 200);
};

/** A partition of an ad-hoc ingestion: its key, and what a dated key tells the source. */
export interface AdHocPartition {
  readonly key: PartitionKey;
  readonly hints: SourceHints;
}

/**
 * Partitions of an ad-hoc ingestion: any key of 1-200 characters. A key that starts with a
 * date is refused when that date is in the future; a `YYYY-MM-DD|<scope>` key gives the
 * source its date and scope. Not run live, not backfilled, no calendar.
 */
export const adHocPartitions = (example: string): PartitionScheme<AdHocPartition> => ({
  shape: "1-200 characters",
  example,
  parse: (pipeline, key) =>
    Either.mapBoth(Schema.decodeUnknownEither(PartitionKey)(key), {
      onLeft: () =>
        new InvalidPartitionKey({
          pipeline,
          partition: key,
          message: "partition must be 1-200 characters",
        }),
      onRight: (valid) => ({ key: valid, hints: hintsFromPartition(valid) }),
    }),
  format: (p) => p.key,
  dateOf: (p) => splitDatedKey(p.key)?.date,
  scopeOf: (p) => p.hints.scope,
  closedReason: () => undefined,
  live: () => [],
});

/** Stage of every source's one-off pipeline in `core_manifest`. */
export const SOURCE_PIPELINE_STAGE = "INGEST";

/** Name of the one-off pipeline of a source: `<domain>.ingest_<source>`. */
export const sourcePipelineName = (source: Source) =>
  PipelineName.make(`${source.domain}.ingest_${source.name}`);

/**
 * A pipeline that ingests `location` through `source`. `fileSystem` provides file access
 * (Node: `NodeFileSystem.layer`); URLs use the runtime's `HttpFetch`.
 */
export const sourcePipeline = (
  source: Source,
  location: SourceLocation,
  fileSystem: Layer.Layer<FileSystem.FileSystem>,
): Pipeline => {
  const name = sourcePipelineName(source);
  return definePipeline({
    name,
    domain: source.domain,
    stage: SOURCE_PIPELINE_STAGE,
    description: `${source.description}, from ${describeLocation(location)}`,
    partitions: adHocPartitions(defaultSourcePartition(location)),
    // A file someone asked to ingest that holds no record at all kept nothing usable.
    qualityGate: { requireRecords: true, ...source.qualityGate },
    span: "Sources.pipeline",
    run: (ctx, partition) =>
      Effect.gen(function* () {
        const config = (yield* AppConfig).sources;
        const report = yield* ingestLocation(source, location, ctx, {
          hints: partition.hints,
          timeoutMs: config.requestTimeoutMs,
          retry: config.retry,
        }).pipe(Effect.provide(fileSystem));
        return {
          status: "complete",
          counts: report.counts,
          rejections: report.rejections,
          details: {
            source: source.name,
            location: describeLocation(location),
            target: source.target,
            batches: report.batches,
            max_batch_rows: report.maxBatchRows,
            max_quarantine_chars: report.maxQuarantineChars,
            ...report.details,
          },
        } as const;
      }),
  });
};
