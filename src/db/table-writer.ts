/**
 * A canonical table's bulk upsert, read from its drizzle declaration: the columns in the
 * order the table declares them, the primary key as the conflict target, the capture columns
 * bound once per call. A writer names, for each other column, how a row gives its value; the
 * compiler holds that list to the table's columns, so the column list exists once.
 */
import { getTableColumns } from "drizzle-orm";
import { getTableConfig, type SQLiteTable } from "drizzle-orm/sqlite-core";
import type * as Effect from "effect/Effect";
import type { BulkBuffer } from "./bulk-buffer";
import {
  type BulkUpsertSpec,
  bulkUpsert,
  bulkUpsertBuffers,
  CAPTURE_COLUMNS,
  type CaptureStamp,
  captureValues,
} from "./bulk-upsert";
import type { Db } from "./db";
import type { DatabaseError } from "./errors";

/** Property names of the capture columns, as every canonical table declares them. */
type CaptureProperty = "captureId" | "capturedAt" | "executionId" | "batchId";

/** The properties of a table's columns other than the capture columns. */
export type ValueColumns<T extends SQLiteTable> = Exclude<
  keyof T["_"]["columns"] & string,
  CaptureProperty
>;

/** How a row (and what the caller passes beside the rows, e.g. its partition) gives each value. */
export type ColumnValues<T extends SQLiteTable, Row, Scope> = {
  readonly [K in ValueColumns<T>]: (row: Row, scope: Scope) => unknown;
};

export interface TableWriter<Row, Scope> {
  readonly spec: BulkUpsertSpec;
  /** The table's columns without the capture columns, in declaration order. */
  readonly columns: ReadonlyArray<string>;
  /** A row's values in `columns` order. */
  readonly tuple: (row: Row, scope: Scope) => Array<unknown>;
  /** Upserts rows stamped with the run's capture; returns rows inserted or updated. */
  readonly write: (
    rows: ReadonlyArray<Row>,
    scope: Scope,
    ctx: CaptureStamp,
  ) => Effect.Effect<number, DatabaseError, Db>;
  /** Adds rows to a statement collected batch by batch (`BulkBuffer`). */
  readonly add: (buffer: BulkBuffer, rows: ReadonlyArray<Row>, scope: Scope) => void;
  /** Upserts what a buffer collected, stamped with the run's capture. */
  readonly writeBuffer: (
    buffer: BulkBuffer,
    ctx: CaptureStamp,
  ) => Effect.Effect<number, DatabaseError, Db>;
}

const CAPTURE_NAMES: ReadonlySet<string> = new Set(CAPTURE_COLUMNS);

/** The writer of `table`; see the module doc. */
export const tableWriter = <T extends SQLiteTable, Row, Scope = undefined>(
  table: T,
  values: ColumnValues<T, Row, Scope>,
): TableWriter<Row, Scope> => {
  const config = getTableConfig(table);
  const declared = Object.entries(getTableColumns(table)).filter(
    ([, column]) => !CAPTURE_NAMES.has(column.name),
  );
  const captured = config.columns.filter((c) => CAPTURE_NAMES.has(c.name)).map((c) => c.name);
  if (captured.join() !== CAPTURE_COLUMNS.join()) {
    throw new Error(
      `${config.name}: a canonical table declares the four capture columns, in order`,
    );
  }
  const [primaryKey] = config.primaryKeys;
  if (primaryKey === undefined || config.primaryKeys.length > 1) {
    throw new Error(`${config.name}: a canonical table has one primary key`);
  }
  const byProperty = values as Readonly<Record<string, (row: Row, scope: Scope) => unknown>>;
  const getters = declared.map(([property]) => {
    const getter = byProperty[property];
    if (getter === undefined) throw new Error(`${config.name}: no value for ${property}`);
    return getter;
  });
  const spec: BulkUpsertSpec = {
    table: config.name,
    columns: declared.map(([, column]) => column.name),
    key: primaryKey.columns.map((c) => c.name),
    shared: CAPTURE_COLUMNS,
  };
  const width = getters.length;
  const tuple = (row: Row, scope: Scope) => {
    const out = new Array<unknown>(width);
    for (let i = 0; i < width; i++)
      out[i] = (getters[i] as (row: Row, scope: Scope) => unknown)(row, scope);
    return out;
  };
  return {
    spec,
    columns: spec.columns,
    tuple,
    write: (rows, scope, ctx) =>
      bulkUpsert(
        spec,
        rows.map((row) => tuple(row, scope)),
        captureValues(ctx),
      ),
    add: (buffer, rows, scope) =>
      buffer.addRows(
        rows,
        getters.map((getter) => (row: Row) => getter(row, scope)),
      ),
    writeBuffer: (buffer, ctx) => bulkUpsertBuffers(spec, [buffer], captureValues(ctx)),
  };
};
