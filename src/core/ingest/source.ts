/**
 * Sources: how one payload format becomes canonical rows.
 *
 * A source = a parser (a JSON document, or CSV / PSV read incrementally against a header) +
 * a field mapping and contract decode per record + optional cross-record checks
 * (uniqueness, …) + an idempotent writer. Where the bytes come from (a file or an HTTP(S)
 * URL) is the fetcher's business (`fetch.ts`); `defineSource` (`source-run.ts`)
 * turns a typed definition into the `Source` the `SOURCES` registry holds.
 */
import type * as Effect from "effect/Effect";
import type * as Either from "effect/Either";
import type { BulkBuffer } from "../../db/bulk-buffer";
import type { Db } from "../../db/db";
import type { DatabaseError } from "../../db/errors";
import type { AppConfig } from "../config/app-config";
import type { Rejected } from "../model/contracts";
import type { QualityGate, RejectionSummary } from "../model/quality";
import type { RunContext } from "../model/run-context";
import type { RunCounts } from "../model/run-result";
import type { AuditLog } from "../pipeline/audit-log";
import { splitDatedKey } from "../pipeline/partition-scheme";
import type { StoreServices } from "../store/layers";
import type { QuarantinedRecord } from "../store/quarantine";
import type { AcceptedBatch } from "./accepted-batch";
import type { RowBlock } from "./parsing/row-block";
import type { DelimitedTable, RowLayout } from "./parsing/table";
import type { SourceRecord } from "./source-record";

export type { SourceRecord } from "./source-record";

/** Where a payload is read from. */
export type SourceLocation =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Http"; readonly url: string };

/** `http(s)://…` is a URL, `file://…` or anything else a local path. */
export const parseSourceLocation = (text: string): SourceLocation => {
  if (/^https?:\/\//i.test(text)) return { _tag: "Http", url: text };
  if (/^file:\/\//i.test(text)) {
    return { _tag: "File", path: decodeURIComponent(new URL(text).pathname) };
  }
  return { _tag: "File", path: text };
};

/** The location as text for errors and lineage (`file:<path>` or the URL). */
export const describeLocation = (location: SourceLocation): string =>
  location._tag === "File" ? `file:${location.path}` : location.url;

/** What the run knows that a payload may not say, from a `YYYY-MM-DD|<scope>` partition. */
export interface SourceHints {
  /** The partition's date (trading date, week ending). */
  readonly date?: string;
  /** The partition's scope (client id, tier, universe). */
  readonly scope?: string;
}

/** Reads hints from a partition key shaped `YYYY-MM-DD|<scope>`; other keys give none. */
export const hintsFromPartition = (key: string): SourceHints => {
  const dated = splitDatedKey(key);
  return dated?.scope === undefined || dated.scope === "" || dated.scope.includes("|")
    ? {}
    : { date: dated.date, scope: dated.scope };
};

/** Inputs of one record's decode besides the record. */
export interface DecodeEnv {
  readonly nowMs: number;
  readonly hints: SourceHints;
}

/** Why a whole payload was refused by a JSON parser. */
export interface PayloadRejection {
  readonly message: string;
  /** True when the source said "try later" (e.g. a rate-limit note in a 200 body). */
  readonly retryable: boolean;
}

/** How the payload is parsed. */
export type SourceParser =
  | {
      readonly format: "json";
      /** Splits the parsed document into records, or refuses the whole document. */
      readonly records: (
        document: unknown,
      ) => Either.Either<ReadonlyArray<SourceRecord>, PayloadRejection>;
    }
  | {
      readonly format: "csv" | "psv";
      readonly delimiter: string;
      /** Header columns that must be present (any order; matched case-insensitively). */
      readonly columns: ReadonlyArray<string>;
      /** Header columns read when present. */
      readonly optionalColumns?: ReadonlyArray<string>;
    };

/**
 * Decodes one well-formed delimited row straight from its fields (row-major, the row's first
 * at `start`): the canonical row, or every violation (`Rejected`), as `decode` gives them for
 * the record the row maps to.
 */
export type RowDecoder<A> = (fields: ReadonlyArray<string>, start: number) => A | Rejected;

/** Checks across records, stateful for one run (uniqueness, monotonicity, references). */
export interface RecordChecks<A> {
  /**
   * Splits one write batch into rows to write and records to quarantine. Earlier batches may
   * still be on their way to the table: a check that reads what this run wrote yields
   * `earlierWritten` first.
   */
  readonly screen: (
    batch: AcceptedBatch<A>,
    earlierWritten: Effect.Effect<void, DatabaseError, Db>,
  ) => Effect.Effect<
    {
      readonly kept: AcceptedBatch<A>;
      readonly rejected: ReadonlyArray<QuarantinedRecord>;
    },
    DatabaseError,
    StoreServices
  >;
  /** Runs once after the last batch (e.g. records anomalies); returns manifest details. */
  readonly finish: Effect.Effect<Readonly<Record<string, unknown>>, DatabaseError, StoreServices>;
}

/**
 * The detection one run of a canonical table gets (`src/detectors/`): it is fed every batch
 * the run writes, in order, and keeps bounded summaries (per series and period, never the
 * rows); `finish` runs the detectors over them and the table's stored history, records the
 * anomalies and returns a summary for the manifest. It never fails the run.
 */
export interface RowDetection<A> {
  readonly observe: (rows: ReadonlyArray<A>) => void;
  readonly finish: Effect.Effect<
    Readonly<Record<string, unknown>>,
    never,
    StoreServices | AppConfig | AuditLog
  >;
}

/** The detectors that apply to one canonical table, for whatever run writes it. */
export interface TableDetection<A> {
  /** The table. */
  readonly name: string;
  /** The rules it runs (`DETECTORS` names). */
  readonly rules: ReadonlyArray<string>;
  readonly description: string;
  readonly open: (ctx: RunContext, env: DecodeEnv) => RowDetection<A>;
}

/** A typed source definition; `defineSource` erases `A` for the registry. */
export interface SourceDefinition<A> {
  readonly name: string;
  /** Domain that owns the rows (capture ids, quarantine). */
  readonly domain: string;
  readonly description: string;
  /** Table the rows land in. */
  readonly target: string;
  readonly parser: SourceParser;
  /** Field mapping + contracts of one record: the canonical row, or every violation. */
  readonly decode: (
    record: SourceRecord,
    env: DecodeEnv,
  ) => Either.Either<A, ReadonlyArray<string>>;
  /**
   * Delimited sources may decode rows without the record object `decode` takes: given where the
   * header put each column, a decoder with the same results as `decode`, built once per
   * payload. Without it, each row is mapped to a record for `decode`.
   */
  readonly decodeRow?: (layout: RowLayout, env: DecodeEnv) => RowDecoder<A>;
  /** Cross-record checks of one run, if the canonical schema has invariants. */
  readonly checks?: (ctx: RunContext, env: DecodeEnv) => RecordChecks<A>;
  /** Idempotent writer of one batch; returns rows inserted or updated. */
  readonly write: (
    rows: ReadonlyArray<A>,
    ctx: RunContext,
  ) => Effect.Effect<number, DatabaseError, Db>;
  /**
   * Optional: writes that several batches share, so they reach the database in one statement
   * of up to `writeRows` rows. `add` encodes a screened batch into the statement being
   * collected (its rows may go at once), `write` writes a collected statement (idempotent
   * upsert; rows written). Without it, each batch is written on its own by `write`.
   */
  readonly buffered?: {
    readonly add: (into: BulkBuffer, rows: ReadonlyArray<A>) => void;
    readonly write: (
      buffer: BulkBuffer,
      ctx: RunContext,
    ) => Effect.Effect<number, DatabaseError, Db>;
  };
  /** The target table's detection, run after the last write (`details.detection`). */
  readonly detection?: TableDetection<A>;
  /** The quality gate of an ingestion through this source (default 5%). */
  readonly qualityGate?: QualityGate;
}

/** Batch sizes of one run. */
export interface SourceRunOptions {
  /** Valid rows per write batch. Default 2,000 (`DEFAULT_SOURCE_RUN_OPTIONS`). */
  readonly batchRows: number;
  /**
   * Rows per write statement of a source whose batches share statements (`buffered`): a
   * statement is written once it holds at least this many. Default 5,000.
   */
  readonly writeRows: number;
  /** Rejected records per quarantine write. Default 500. */
  readonly quarantineRows: number;
  /**
   * Raw characters of rejected records that trigger a quarantine write, and the most one
   * write takes (a single longer record goes alone). Default 4 Mi.
   */
  readonly quarantineChars: number;
}

/** What one ingestion did. */
export interface SourceReport {
  readonly counts: RunCounts;
  /** Write batches and the largest one: the memory bound, visible. */
  readonly batches: number;
  readonly maxBatchRows: number;
  /** The most raw text (characters) of rejected records held before a quarantine write. */
  readonly maxQuarantineChars: number;
  /** First quarantine reasons (at most 50), for the audit log. */
  readonly sampleRejections: ReadonlyArray<{
    readonly index: number;
    readonly reasons: ReadonlyArray<string>;
  }>;
  /** Every quarantined record counted by contract, and the first indexes. */
  readonly rejections: RejectionSummary;
  readonly details: Readonly<Record<string, unknown>>;
}

/** One run of a source: records go in as they are parsed, batches are written as they fill. */
export interface SourceRun {
  readonly accept: (
    records: ReadonlyArray<SourceRecord>,
  ) => Effect.Effect<void, DatabaseError, StoreServices>;
  /**
   * Delimited payloads: the rows `from`… of a block, read against `table`'s header. The block
   * is refilled afterwards: what the run keeps, it copies.
   */
  readonly acceptRows: (
    block: RowBlock,
    from: number,
    table: DelimitedTable,
  ) => Effect.Effect<void, DatabaseError, StoreServices>;
  readonly finish: Effect.Effect<SourceReport, DatabaseError, StoreServices | AppConfig | AuditLog>;
}

/** A registered source (the row type erased). */
export interface Source {
  readonly name: string;
  readonly domain: string;
  readonly description: string;
  readonly target: string;
  readonly parser: SourceParser;
  /** Rules run on the target table after each run (its `TableDetection`), if any. */
  readonly detects: ReadonlyArray<string>;
  readonly qualityGate?: QualityGate;
  /** Starts handling the records of one run. */
  readonly open: (
    ctx: RunContext,
    env: DecodeEnv,
    options?: Partial<SourceRunOptions>,
  ) => SourceRun;
}
