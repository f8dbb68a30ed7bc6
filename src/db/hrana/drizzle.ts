/**
 * drizzle over a libSQL client built here, as `drizzle-orm/libsql/http`'s `drizzle()` builds
 * it (its module also imports `@libsql/client/http`, which would put that client back in the
 * Worker): the same dialect, session and relational schema, from drizzle's public classes.
 * The runtimes use `drizzleWithoutRelations`: nothing there reads through `db.query`.
 */
import type { Client } from "@libsql/client";
import { createTableRelationsHelpers, extractTablesRelationalConfig } from "drizzle-orm";
import { LibSQLDatabase } from "drizzle-orm/libsql/driver-core";
import { LibSQLSession } from "drizzle-orm/libsql/session";
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";

/** drizzle over `client` with `schema` (tables and relations). */
export const drizzleOver = <TSchema extends Record<string, unknown>>(
  client: Client,
  schema: TSchema,
): LibSQLDatabase<TSchema> & { readonly $client: Client } => {
  const dialect = new SQLiteAsyncDialect();
  const tables = extractTablesRelationalConfig(schema, createTableRelationsHelpers);
  const relational = {
    fullSchema: schema,
    schema: tables.tables,
    tableNamesMap: tables.tableNamesMap,
  };
  const session = new LibSQLSession(client, dialect, relational, {}, undefined);
  const db = new LibSQLDatabase("async", dialect, session, relational) as LibSQLDatabase<TSchema>;
  return Object.assign(db, { $client: client });
};

/** drizzle's type argument for "no relational schema". */
export type NoSchema = Record<string, never>;

/**
 * drizzle over `client` without a relational schema (no `db.query`), what the runtimes use:
 * it leaves drizzle's relational setup out of the Worker bundle.
 */
export const drizzleWithoutRelations = (
  client: Client,
): LibSQLDatabase & { readonly $client: Client } => {
  const dialect = new SQLiteAsyncDialect();
  const session = new LibSQLSession<NoSchema, NoSchema>(client, dialect, undefined, {}, undefined);
  const db = new LibSQLDatabase<NoSchema>("async", dialect, session, undefined);
  return Object.assign(db, { $client: client });
};
