/**
 * `defineSource`: the record loop every source shares — decode each record against its
 * contracts, quarantine the bad ones with every reason, screen full batches through the
 * source's cross-record checks and write them — in memory bounded by one batch.
 */
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Exit from "effect/Exit";
import * as Fiber from "effect/Fiber";
import type { DatabaseError } from "../../db/errors";
import { emptyRejections, RejectionTally } from "../model/quality";
import { type QuarantinedRecord, quarantineRecords } from "../store/quarantine";
import type {
  Accepted,
  DecodeEnv,
  Source,
  SourceDefinition,
  SourceRecord,
  SourceReport,
  SourceRun,
  SourceRunOptions,
} from "./source";

/**
 * Default batch sizes: 2,000 rows per write; 500 records per quarantine write, or fewer when
 * their raw text reaches 4 Mi characters (a malformed record may be up to 1 MiB long: 500 of
 * them must not wait in memory together, in a Worker's 128 MB least of all).
 *
 * A batch's rows (records, decoded values, tuples, JSON) live from decoding until the write is
 * handed over: larger batches outlive the young generation and fill the old one with dead
 * batches, smaller statements cost SQLite more per row; 2,000 balances the two
 * (docs/performance.md).
 */
export const DEFAULT_SOURCE_RUN_OPTIONS: SourceRunOptions = {
  batchRows: 2_000,
  quarantineRows: 500,
  quarantineChars: 4 * 1024 * 1024,
};

const SAMPLE_REJECTIONS = 50;

/** Write batches a run may have queued at the database before it waits for the oldest. */
const WRITES_IN_FLIGHT = 2;

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
  const { batchRows, quarantineRows, quarantineChars } = {
    ...DEFAULT_SOURCE_RUN_OPTIONS,
    ...options,
  };
  const checks = definition.checks?.(ctx, env);
  const detection = definition.detection?.open(ctx, env);
  let staged: Array<Accepted<A>> = [];
  let rejected: Array<QuarantinedRecord> = [];
  const sample: Array<{ index: number; reasons: ReadonlyArray<string> }> = [];
  const tally = new RejectionTally();
  let received = 0;
  let valid = 0;
  let quarantined = 0;
  let written = 0;
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
  const quarantineOf = (record: SourceRecord, reasons: ReadonlyArray<string>) => ({
    source: definition.name,
    recordIndex: record.index,
    raw: record.raw,
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

  // Write-behind: up to `WRITES_IN_FLIGHT` batches are being written while the next ones
  // are parsed, decoded and screened, so decoding hides behind the database instead of
  // adding to it (remote libSQL: asynchronous requests; the embedded file in Node: the
  // `BulkWriter` thread, which runs them in order). Memory stays bounded: at most that many
  // batches wait. Checks that read what this run wrote join the writes first
  // (`earlierWritten`), and `finish` joins them all, so a failed write fails the run and
  // nothing is reported written early.
  const inFlight: Array<Fiber.RuntimeFiber<number, DatabaseError>> = [];
  const joinOldest = Effect.suspend(() => {
    const fiber = inFlight.shift();
    return fiber === undefined
      ? Effect.void
      : Effect.map(Fiber.join(fiber), (n) => {
          written += n;
        });
  });
  /** Joins every write in flight; if one failed, waits for the others, then fails. */
  const settleAll = Effect.suspend(() =>
    Effect.flatMap(Effect.forEach(inFlight.splice(0), Fiber.await), (exits) => {
      for (const exit of exits) if (Exit.isSuccess(exit)) written += exit.value;
      const failed = exits.find(Exit.isFailure);
      return failed === undefined ? Effect.void : Effect.failCause(failed.cause);
    }),
  );

  /** Waits until fewer than `WRITES_IN_FLIGHT` writes are in flight. */
  const awaitSlot: Effect.Effect<void, DatabaseError> = Effect.suspend(() =>
    inFlight.length >= WRITES_IN_FLIGHT ? Effect.zipRight(joinOldest, awaitSlot) : Effect.void,
  );

  /**
   * Screens one batch, then forks its write. Built from combinators, not a generator: a
   * generator frame holding the batch kept its rows alive into V8's old generation
   * (ARCHITECTURE, step 4).
   */
  const writeBatch = (batch: ReadonlyArray<Accepted<A>>) =>
    Effect.zipRight(
      awaitSlot,
      Effect.flatMap(
        checks
          ? Effect.suspend(() => checks.screen(batch, settleAll))
          : Effect.succeed({ kept: batch, rejected: [] }),
        (screened) => {
          for (const r of screened.rejected) reject(r);
          valid += screened.kept.length;
          batches += 1;
          maxBatchRows = Math.max(maxBatchRows, batch.length);
          if (screened.kept.length === 0) return Effect.void;
          const rows = screened.kept.map((a) => a.value);
          detection?.observe(rows);
          // Yielding once lets the forked write start now and hand its JSON to the database,
          // rather than when this fiber next waits: a chunk held that long is promoted and
          // lingers until a full collection.
          return Effect.zipLeft(
            Effect.map(Effect.forkDaemon(definition.write(rows, ctx)), (fiber) => {
              inFlight.push(fiber);
            }),
            Effect.yieldNow(),
          );
        },
      ),
    );

  /** Decodes records into `staged`, quarantining the ones that break a contract. */
  const stage = (records: ReadonlyArray<SourceRecord>) => {
    for (const record of records) {
      received += 1;
      if (record.problems.length > 0) {
        reject(quarantineOf(record, record.problems));
        continue;
      }
      const decoded = definition.decode(record, env);
      if (Either.isRight(decoded))
        staged.push({ value: decoded.right, index: record.index, raw: record.raw });
      else reject(quarantineOf(record, decoded.left));
    }
  };
  /** Cuts the full batches off `staged`. */
  const takeFullBatches = () => {
    const full: Array<ReadonlyArray<Accepted<A>>> = [];
    while (staged.length >= batchRows) {
      full.push(staged.slice(0, batchRows));
      staged = staged.slice(batchRows);
    }
    return full;
  };
  const writeFullBatches = Effect.zipRight(
    Effect.suspend(() => Effect.forEach(takeFullBatches(), writeBatch, { discard: true })),
    flushQuarantine(false),
  );

  // The per-record loop is a plain function run by `Effect.sync`, not a generator body
  // (ARCHITECTURE, step 4).
  const accept = (records: ReadonlyArray<SourceRecord>) =>
    Effect.zipRight(
      Effect.sync(() => stage(records)),
      writeFullBatches,
    );

  const finish = Effect.gen(function* () {
    if (staged.length > 0) {
      const batch = staged;
      staged = [];
      yield* writeBatch(batch);
    }
    yield* settleAll;
    yield* flushQuarantine(true);
    const checked = checks ? yield* checks.finish : {};
    // After every write: detection reads the stored history the run may have extended.
    const details =
      detection === undefined ? checked : { ...checked, detection: yield* detection.finish };
    const report: SourceReport = {
      counts: { received, valid, quarantined, written },
      batches,
      maxBatchRows,
      maxQuarantineChars,
      sampleRejections: sample,
      rejections: tally.summary(),
      details,
    };
    return report;
  });

  return { accept, finish };
};

/**
 * A run for replay mode: decodes every record like `defineSource` but writes nothing —
 * no table, no quarantine — and keeps the valid rows in memory (one partition). A record
 * whose `identity` repeats an earlier one is dropped, as the uniqueness check would
 * quarantine it. `rows()` returns them in payload order.
 */
export const collectingRun = <A>(
  definition: SourceDefinition<A>,
  env: DecodeEnv,
  identity?: (row: A) => string,
): { readonly run: SourceRun; readonly rows: () => ReadonlyArray<A> } => {
  const rows: Array<A> = [];
  const seen = new Set<string>();
  let received = 0;
  let rejected = 0;
  const accept = (records: ReadonlyArray<SourceRecord>) =>
    Effect.sync(() => {
      for (const record of records) {
        received += 1;
        const decoded = record.problems.length > 0 ? undefined : definition.decode(record, env);
        if (decoded === undefined || Either.isLeft(decoded)) {
          rejected += 1;
          continue;
        }
        const id = identity?.(decoded.right);
        if (id !== undefined) {
          if (seen.has(id)) {
            rejected += 1;
            continue;
          }
          seen.add(id);
        }
        rows.push(decoded.right);
      }
    });
  const finish = Effect.sync(
    (): SourceReport => ({
      counts: { received, valid: rows.length, quarantined: rejected, written: 0 },
      batches: 0,
      maxBatchRows: 0,
      maxQuarantineChars: 0,
      sampleRejections: [],
      rejections: emptyRejections,
      details: {},
    }),
  );
  return { run: { accept, finish }, rows: () => rows };
};
