/**
 * Hrana-over-HTTP JSON (protocol versions 2 and 3): the typed requests and results. Decoding
 * lives in `./decode`, values in `./values`, errors in `./errors`, the SQL scanner in
 * `./sql-scan`; the parts the HTTP layer uses are re-exported here.
 */
import type { ProtoError } from "./errors";
import type { JsonValue, SqlValue } from "./values";

export { ProtocolError, type ProtoError, StmtError, toProtoError } from "./errors";
export type { JsonValue, SqlValue } from "./values";

/** Hrana version of the endpoint a request came through. */
export type HranaVersion = 2 | 3;

/** A statement to execute; exactly one of `sql` and `sqlId` is set. */
export interface Stmt {
  readonly sql: string | undefined;
  readonly sqlId: number | undefined;
  readonly args: readonly SqlValue[];
  readonly namedArgs: ReadonlyMap<string, SqlValue>;
  readonly wantRows: boolean;
}

/** Condition guarding a batch step. */
export type BatchCond =
  | { readonly type: "ok" | "error"; readonly step: number }
  | { readonly type: "not"; readonly cond: BatchCond }
  | { readonly type: "and" | "or"; readonly conds: readonly BatchCond[] }
  | { readonly type: "is_autocommit" };

/** One step of a batch. */
export interface BatchStep {
  readonly condition: BatchCond | undefined;
  readonly stmt: Stmt;
}

/** A request inside a pipeline. */
export type StreamRequest =
  | { readonly type: "close" | "get_autocommit" }
  | { readonly type: "execute"; readonly stmt: Stmt }
  | { readonly type: "batch"; readonly steps: readonly BatchStep[] }
  | {
      readonly type: "sequence" | "describe";
      readonly sql: string | undefined;
      readonly sqlId: number | undefined;
    }
  | { readonly type: "store_sql"; readonly sqlId: number; readonly sql: string }
  | { readonly type: "close_sql"; readonly sqlId: number };

/** Body of `POST /v2/pipeline` and `POST /v3/pipeline`. */
export interface PipelineRequest {
  readonly baton: string | null;
  readonly requests: readonly StreamRequest[];
}

/** Body of `POST /v3/cursor`. */
export interface CursorRequest {
  readonly baton: string | null;
  readonly steps: readonly BatchStep[];
}

/** A result column. */
export interface Col {
  readonly name: string | null;
  readonly decltype: string | null;
}

/** Result of one executed statement. */
export interface StmtResult {
  readonly cols: readonly Col[];
  readonly rows: readonly (readonly JsonValue[])[];
  readonly affected_row_count: number;
  readonly last_insert_rowid: string | null;
}

/** Result of a batch: per step either a result, an error, or neither (skipped). */
export interface BatchResult {
  readonly step_results: readonly (StmtResult | null)[];
  readonly step_errors: readonly (ProtoError | null)[];
}

/** Result of `describe`. */
export interface DescribeResult {
  readonly params: readonly { readonly name: string | null }[];
  readonly cols: readonly Col[];
  readonly is_explain: boolean;
  readonly is_readonly: boolean;
}

/** Successful response to a pipeline request. */
export type StreamResponse =
  | { type: "close" | "sequence" | "store_sql" | "close_sql" }
  | { type: "execute"; result: StmtResult }
  | { type: "batch"; result: BatchResult }
  | { type: "describe"; result: DescribeResult }
  | { type: "get_autocommit"; is_autocommit: boolean };

/** Outcome of one pipeline request. */
export type StreamResult =
  | { type: "ok"; response: StreamResponse }
  | { type: "error"; error: ProtoError };
