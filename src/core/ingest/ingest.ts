/**
 * One ingestion: payload bytes → parser → the source's record loop → audit events.
 *
 * CSV / PSV are decoded and parsed chunk by chunk as the bytes arrive and written in batches,
 * so a 1 GiB file or body needs the memory of one batch and one record. A JSON payload is one
 * document: it is read whole, up to `maxJsonBytes` (64 MiB). Whole-payload failures are one
 * typed `PermanentSourceError` with the payload head kept: not UTF-8 / binary, not JSON, JSON
 * nested deeper than `MAX_JSON_DEPTH`, a header without the source's columns, a record past
 * `maxRecordChars`, an empty payload.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import type { DatabaseError } from "../../db/errors";
import type { RunAuditEvent } from "../model/audit-event";
import { PermanentSourceError, TransientSourceError, truncatePayload } from "../model/errors";
import type { RunContext } from "../model/run-context";
import { auditRun } from "../pipeline/audit-log";
import type { StoreServices } from "../store/layers";
import { type ByteStream, forEachChunk, readCapped } from "./byte-stream";
import { openPayload, type SourceError } from "./fetch";
import { DelimitedReader } from "./parsing/delimited";
import { jsonTooDeep, MAX_JSON_DEPTH } from "./parsing/json-depth";
import { RowBlock } from "./parsing/row-block";
import { DelimitedTable } from "./parsing/table";
import { Utf8Text } from "./parsing/text";
import type { RetryPolicy } from "./retry";
import {
  describeLocation,
  type Source,
  type SourceHints,
  type SourceLocation,
  type SourceReport,
  type SourceRun,
  type SourceRunOptions,
} from "./source";
import { DEFAULT_SOURCE_RUN_OPTIONS } from "./source-run";

/** Largest JSON document read: 64 MiB. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

export interface IngestOptions {
  /** Where the bytes came from, for errors (`file:<path>` or the URL). */
  readonly where: string;
  readonly hints: SourceHints;
  readonly run?: Partial<SourceRunOptions>;
  /** Default `MAX_JSON_BYTES`. */
  readonly maxJsonBytes?: number;
  /** Longest CSV / PSV record in characters. Default 1 MiB. */
  readonly maxRecordChars?: number;
}

type Fail = (message: string, head?: string) => PermanentSourceError;

const readDelimited = (
  source: Source,
  parser: Extract<Source["parser"], { readonly delimiter: string }>,
  bytes: ByteStream<SourceError>,
  run: SourceRun,
  options: IngestOptions,
  fail: Fail,
) =>
  Effect.gen(function* () {
    const text = new Utf8Text();
    const reader = new DelimitedReader(parser.delimiter, options.maxRecordChars);
    const table = new DelimitedTable(parser);
    // One block, refilled for every chunk of text: the run copies what it keeps.
    const block = new RowBlock();
    /** Hands the block's rows to the run, after the header if the block starts with it. */
    const deliver = (): Effect.Effect<
      void,
      PermanentSourceError | DatabaseError,
      StoreServices
    > => {
      const first = table.acceptHeader(block);
      if (Either.isLeft(first)) return Effect.fail(fail(first.left.message, text.head()));
      return first.right < block.count ? run.acceptRows(block, first.right, table) : Effect.void;
    };
    /** Decodes and parses one chunk of text into the block, then delivers it. */
    const rowsOf = (decoded: Either.Either<string, { readonly message: string }>) =>
      Effect.suspend(() => {
        if (Either.isLeft(decoded)) return Effect.fail(fail(decoded.left.message, text.head()));
        const rows = reader.pushInto(decoded.right, block);
        if (Either.isLeft(rows)) {
          const e = rows.left;
          return Effect.fail(
            fail(
              `record starting at line ${e.line} exceeds ${e.limit} characters (unterminated quote?): ${e.excerpt}`,
              text.head(),
            ),
          );
        }
        return deliver();
      });
    // The per-row work runs in plain functions under `Effect.suspend`, not in generator
    // bodies: a generator frame holding a chunk keeps its rows alive into the old generation
    // (ARCHITECTURE, step 4).
    yield* forEachChunk(bytes, (chunk) => rowsOf(text.decode(chunk)));
    yield* rowsOf(text.end());
    yield* Effect.suspend(() => {
      reader.endInto(block);
      return deliver();
    });
    if (!table.hasHeader) {
      return yield* fail(
        `payload is empty: no header row (${text.bytes} bytes; ${source.name} expects ${parser.columns.join(parser.delimiter)})`,
        text.head(),
      );
    }
    return yield* run.finish;
  });

const readJson = (
  source: Source,
  parser: Extract<Source["parser"], { readonly format: "json" }>,
  bytes: ByteStream<SourceError>,
  run: SourceRun,
  options: IngestOptions,
  fail: Fail,
) =>
  Effect.gen(function* () {
    const limit = options.maxJsonBytes ?? MAX_JSON_BYTES;
    const body = yield* readCapped(bytes, limit, (head) =>
      fail(
        `JSON payload exceeds ${limit} bytes; a JSON source reads one document`,
        new TextDecoder().decode(head),
      ),
    );
    const utf8 = new Utf8Text();
    const decoded = Either.flatMap(utf8.decode(body), (t) => Either.map(utf8.end(), (r) => t + r));
    if (Either.isLeft(decoded)) return yield* fail(decoded.left.message, utf8.head());
    const content = decoded.right.replace(/^\uFEFF/, "");
    if (content.trim() === "") return yield* fail("payload is empty: no JSON document", "");
    const tooDeep = jsonTooDeep(content);
    if (tooDeep !== undefined) {
      return yield* fail(
        `JSON nests deeper than ${MAX_JSON_DEPTH} levels (at character ${tooDeep})`,
        content,
      );
    }
    const document = Either.try(() => JSON.parse(content) as unknown);
    if (Either.isLeft(document)) {
      return yield* fail(`payload is not JSON: ${String(document.left)}`, content);
    }
    const records = parser.records(document.right);
    if (Either.isLeft(records)) {
      const rejection = records.left;
      return yield* rejection.retryable
        ? new TransientSourceError({
            source: source.name,
            url: options.where,
            reason: "status",
            message: rejection.message,
          })
        : fail(rejection.message, content);
    }
    const step = options.run?.batchRows ?? DEFAULT_SOURCE_RUN_OPTIONS.batchRows;
    for (let start = 0; start < records.right.length; start += step) {
      yield* run.accept(records.right.slice(start, start + step));
    }
    return yield* run.finish;
  });

/**
 * The validation part of an ingestion's audit trail: `validated`, and `validation_failed` with
 * sample reasons when records were quarantined.
 */
export const validationEvents = (
  ctx: RunContext,
  report: Pick<SourceReport, "counts" | "sampleRejections">,
): ReadonlyArray<RunAuditEvent> => [
  {
    eventType: "validated",
    entityType: "partition",
    entityId: ctx.partitionKey,
    newState: { valid: report.counts.valid },
  },
  ...(report.counts.quarantined > 0
    ? [
        {
          eventType: "validation_failed",
          entityType: "partition",
          entityId: ctx.partitionKey,
          newState: { quarantined: report.counts.quarantined },
          metadata: { reasons: report.sampleRejections },
        } as const,
      ]
    : []),
];

/** The audit trail of one ingestion, in the order the market-data pipeline writes it. */
const auditEvents = (
  ctx: RunContext,
  source: Source,
  report: SourceReport,
  where: string,
): ReadonlyArray<RunAuditEvent> => [
  {
    eventType: "ingested",
    entityType: "partition",
    entityId: ctx.partitionKey,
    newState: { received: report.counts.received },
    metadata: { source: source.name, location: where, format: source.parser.format },
  },
  ...validationEvents(ctx, report),
  {
    eventType: "written",
    entityType: "table",
    entityId: source.target,
    newState: { written: report.counts.written, batches: report.batches },
  },
];

/**
 * Parses a byte stream with the source's parser and feeds its records to `run`: the part of
 * an ingestion that replay mode shares (with a run that collects instead of writing).
 */
export const readPayload = (
  source: Source,
  bytes: ByteStream<SourceError>,
  run: SourceRun,
  options: IngestOptions,
) => {
  const fail: Fail = (message, head) =>
    new PermanentSourceError({
      source: source.name,
      url: options.where,
      reason: "decode",
      message: `${source.name}: ${message}`,
      ...(head === undefined ? {} : { payload: truncatePayload(head) }),
    });
  const parser = source.parser;
  return parser.format === "json"
    ? readJson(source, parser, bytes, run, options, fail)
    : readDelimited(source, parser, bytes, run, options, fail);
};

/** Ingests a byte stream through a source; see the module doc. */
export const ingestBytes = (
  source: Source,
  bytes: ByteStream<SourceError>,
  ctx: RunContext,
  options: IngestOptions,
) =>
  Effect.gen(function* () {
    const nowMs = yield* Clock.currentTimeMillis;
    const run = source.open(ctx, { nowMs, hints: options.hints }, options.run);
    const report = yield* readPayload(source, bytes, run, options);
    yield* auditRun(ctx)(auditEvents(ctx, source, report, options.where));
    return report;
  }).pipe(Effect.withSpan("Sources.ingest", { attributes: { source: source.name } }));

export interface IngestLocationOptions extends Omit<IngestOptions, "where"> {
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
}

/** Opens a file or URL and ingests it (needs `HttpFetch` and `FileSystem`). */
export const ingestLocation = (
  source: Source,
  location: SourceLocation,
  ctx: RunContext,
  options: IngestLocationOptions,
) =>
  Effect.flatMap(
    openPayload(location, {
      source: source.name,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
    }),
    (bytes) => ingestBytes(source, bytes, ctx, { ...options, where: describeLocation(location) }),
  );
