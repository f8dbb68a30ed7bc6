/**
 * `defineSource`: the record loop every source shares — decode each record against its
 * contracts, quarantine the bad ones with every reason, screen full batches through the
 * source's cross-record checks and write them — in memory bounded by one batch.
 */
import * as Effect from "effect/Effect";
import { BulkBuffer } from "../../db/bulk-buffer";
import { Rejected } from "../model/contracts";
import { RejectionTally } from "../model/quality";
import { type QuarantinedRecord, quarantineRecords } from "../store/quarantine";
import { type AcceptedBatch, batchFiller } from "./accepted-batch";
import { fromEither, rowDecoding } from "./row-decoding";
import type {
  Source,
  SourceDefinition,
  SourceRecord,
  SourceReport,
  SourceRun,
  SourceRunOptions,
} from "./source";
import { writeBehind } from "./write-behind";

/**
 * Default batch sizes: 1,000 rows per screened batch; write statements of 5,000 rows for
 * sources whose batches share them (`buffered`); 500 records per quarantine write, or fewer
 * when their raw text reaches 4 Mi characters (a malformed record may be up to 1 MiB long:
 * 500 of them must not wait in memory together, in a Worker's 128 MB least of all).
 *
 * A batch's decoded rows live from decoding until they are written or encoded: smaller batches
 * leave fewer of them for each young-generation collection to copy, while larger statements
 * cost SQLite and the writer less per row; a shared statement keeps only its encoded bytes
 * (docs/performance.md).
 */
export const DEFAULT_SOURCE_RUN_OPTIONS: SourceRunOptions = {
  batchRows: 1_000,
  writeRows: 5_000,
  quarantineRows: 500,
  quarantineChars: 4 * 1024 * 1024,
};

const SAMPLE_REJECTIONS = 50;

/** Erases the row type of a definition into a registrable `Source`. */
export const defineSource = <A>(definition: SourceDefinition<A>): Source => ({
  name: definition.name,
  domain: definition.domain,
  description: definition.description,
  target: definition.target,
  parser: definition.parser,
  detects: definition.detection?.rules ?? [],
  ...(definition.qualityGate ? { qualityGate: definition.qualityGate } : {}),
  open: (ctx, env, options) => openRun(definition, ctx, env, options),
});

const openRun = <A>(
  definition: SourceDefinition<A>,
  ctx: Parameters<Source["open"]>[0],
  env: Parameters<Source["open"]>[1],
  options: Partial<SourceRunOptions> = {},
): SourceRun => {
  const { batchRows, writeRows, quarantineRows, quarantineChars } = {
    ...DEFAULT_SOURCE_RUN_OPTIONS,
    ...options,
  };
  const checks = definition.checks?.(ctx, env);
  const detection = definition.detection?.open(ctx, env);
  // Decoded records waiting for their batch, column by column (`AcceptedBatch`).
  const staged = batchFiller<A>(batchRows);
  /** Batches filled and not yet handed to `writeBatch`. */
  let full: Array<AcceptedBatch<A>> = [];
  let rejected: Array<QuarantinedRecord> = [];
  const sample: Array<{ index: number; reasons: ReadonlyArray<string> }> = [];
  const tally = new RejectionTally();
  let received = 0;
  let valid = 0;
  let quarantined = 0;
  let batches = 0;
  let maxBatchRows = 0;
  /** Raw characters of the records in `rejected`, and the most it held. */
  let rejectedChars = 0;
  let maxQuarantineChars = 0;

  const reject = (record: QuarantinedRecord) => {
    rejected.push(record);
    rejectedChars += record.raw.length;
    maxQuarantineChars = Math.max(maxQuarantineChars, rejectedChars);
    tally.add(record.recordIndex, record.reasons);
    if (sample.length < SAMPLE_REJECTIONS) {
      sample.push({ index: record.recordIndex, reasons: record.reasons });
    }
  };
  const quarantineOf = (recordIndex: number, raw: string, reasons: ReadonlyArray<string>) => ({
    source: definition.name,
    recordIndex,
    raw,
    reasons,
  });

  /** The first rejected records that fit one write: at most `quarantineRows`, and at least one. */
  const takeQuarantineChunk = () => {
    let n = 0;
    let chars = 0;
    while (n < rejected.length && n < quarantineRows) {
      const next = (rejected[n] as QuarantinedRecord).raw.length;
      if (n > 0 && chars + next > quarantineChars) break;
      chars += next;
      n += 1;
    }
    const chunk = rejected.slice(0, n);
    rejected = rejected.slice(n);
    rejectedChars -= chars;
    return chunk;
  };
  const flushQuarantine = (all: boolean) =>
    Effect.gen(function* () {
      while (
        rejected.length >= quarantineRows ||
        rejectedChars >= quarantineChars ||
        (all && rejected.length > 0)
      ) {
        quarantined += yield* quarantineRecords(ctx, takeQuarantineChunk());
      }
    });

  const writes = writeBehind();
  const buffered = definition.buffered;
  /** The statement being collected from screened batches (`buffered` sources). */
  let open: BulkBuffer | undefined;
  /**
   * Buffers whose statement succeeded, emptied for the next one: a run reuses a few buffers
   * instead of leaving one per statement for the garbage collector (their bytes live outside
   * the JS heap, and a dead one is freed only by a full collection).
   */
  const spare: Array<BulkBuffer> = [];
  /** Forks the write of the statement being collected, if it holds any row. */
  const writeOpen = Effect.suspend(() => {
    const buffer = open;
    open = undefined;
    if (buffer === undefined || buffered === undefined) return Effect.void;
    const write = Effect.tap(buffered.write(buffer, ctx), () => {
      spare.push(buffer.clear());
    });
    return Effect.zipRight(writes.awaitSlot, writes.start(write));
  });
  /** Everything screened so far, written: what a check that reads the table waits for. */
  const earlierWritten = Effect.zipRight(writeOpen, writes.settleAll);
  /** Writes a screened batch, or adds it to the statement being collected. */
  const write = (rows: ReadonlyArray<A>) => {
    if (buffered === undefined) {
      return Effect.zipRight(writes.awaitSlot, writes.start(definition.write(rows, ctx)));
    }
    open ??= spare.pop() ?? new BulkBuffer(writeRows * 128);
    buffered.add(open, rows);
    return open.rows >= writeRows ? writeOpen : Effect.void;
  };
  /**
   * Screens one batch, then writes it. Built from combinators, not a generator: a generator
   * frame holding the batch kept its rows alive into V8's old generation (ARCHITECTURE,
   * step 4).
   */
  const writeBatch = (batch: AcceptedBatch<A>) =>
    Effect.flatMap(
      checks
        ? Effect.suspend(() => checks.screen(batch, earlierWritten))
        : Effect.succeed({ kept: batch, rejected: [] }),
      (screened) => {
        for (const r of screened.rejected) reject(r);
        const rows = screened.kept.values;
        valid += rows.length;
        batches += 1;
        maxBatchRows = Math.max(maxBatchRows, batch.values.length);
        if (rows.length === 0) return Effect.void;
        detection?.observe(rows);
        return write(rows);
      },
    );

  /** Stages a decoded record, or quarantines it with every reason. */
  const stage = (decoded: A | Rejected, index: number, raw: string) => {
    received += 1;
    if (decoded instanceof Rejected) reject(quarantineOf(index, raw, decoded.reasons));
    else {
      const batch = staged.add(decoded, index, raw);
      if (batch !== undefined) full.push(batch);
    }
  };
  const stageRecords = (records: ReadonlyArray<SourceRecord>) => {
    for (const record of records) {
      stage(
        record.problems.length > 0
          ? new Rejected(record.problems)
          : fromEither(definition.decode(record, env)),
        record.index,
        record.raw,
      );
    }
  };
  const decodeRow = rowDecoding(definition, env);
  /** Takes the batches filled so far. */
  const takeFullBatches = () => {
    const taken = full;
    full = [];
    return taken;
  };
  const writeFullBatches = Effect.zipRight(
    Effect.suspend(() => Effect.forEach(takeFullBatches(), writeBatch, { discard: true })),
    flushQuarantine(false),
  );

  // The per-record loop is a plain function run by `Effect.sync`, not a generator body
  // (ARCHITECTURE, step 4).
  const accept = (records: ReadonlyArray<SourceRecord>) =>
    Effect.zipRight(
      Effect.sync(() => stageRecords(records)),
      writeFullBatches,
    );
  const acceptRows: SourceRun["acceptRows"] = (block, from, table) =>
    Effect.zipRight(
      Effect.sync(() => {
        const { lines, raws } = block;
        for (let i = from; i < block.count; i++) {
          stage(decodeRow(block, i, table), lines[i] as number, raws[i] as string);
        }
      }),
      writeFullBatches,
    );

  const finish = Effect.gen(function* () {
    if (staged.size() > 0) yield* writeBatch(staged.take());
    yield* earlierWritten;
    yield* flushQuarantine(true);
    const checked = checks ? yield* checks.finish : {};
    // After every write: detection reads the stored history the run may have extended.
    const details =
      detection === undefined ? checked : { ...checked, detection: yield* detection.finish };
    const report: SourceReport = {
      counts: { received, valid, quarantined, written: writes.written() },
      batches,
      maxBatchRows,
      maxQuarantineChars,
      sampleRejections: sample,
      rejections: tally.summary(),
      details,
    };
    return report;
  });

  return { accept, acceptRows, finish };
};
