/**
 * The `Db` service: drizzle over one `@libsql/client` connection.
 *
 * The client is created by the entry point (`@libsql/client` in Node, `@libsql/client/http`
 * in the Worker) so this module stays runtime-neutral.
 */
import type { Client, InStatement, ResultSet } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as FiberRef from "effect/FiberRef";
import * as Layer from "effect/Layer";
import { DatabaseError, describeUnknown } from "./errors";
import { statementOf } from "./sql";

/** The drizzle database (queries name the tables of `schema/`; no relational `db.query`). */
export type Database = LibSQLDatabase;

export interface DbShape {
  readonly drizzle: Database;
  readonly client: Client;
}

/** Access to the shared libSQL database. */
export class Db extends Context.Tag("dataspine/Db")<Db, DbShape>() {
  /** A layer over an already created drizzle database; closes nothing. */
  static readonly fromDatabase = (drizzle: Database & { readonly $client: Client }) =>
    Layer.succeed(Db, { drizzle, client: drizzle.$client });
}

/** drizzle wraps the driver's error ("Failed query: …"); the driver's reason is its cause. */
const describeDbFailure = (cause: unknown): string =>
  cause instanceof Error && cause.cause instanceof Error
    ? `${cause.message} (${cause.cause.message})`
    : describeUnknown(cause);

/** Where `captureWrites` collects the write statements of the operations it runs. */
const captured = FiberRef.unsafeMake<Array<InStatement> | undefined>(undefined);

/** What a captured write reports: it has not run, so no rows and no changes. */
const NOT_RUN: ResultSet = {
  columns: [],
  columnTypes: [],
  rows: [],
  rowsAffected: 0,
  lastInsertRowid: undefined,
  toJSON: () => ({}),
};

/** A drizzle INSERT, UPDATE or DELETE not run yet (a query builder, not a promise). */
const writeStatementOf = (query: unknown) => {
  if (typeof (query as { toSQL?: unknown } | null)?.toSQL !== "function") return undefined;
  const statement = statementOf(query as Parameters<typeof statementOf>[0]);
  return /^\s*(insert|update|delete)\b/i.test(statement.sql) ? statement : undefined;
};

/**
 * Runs one database operation, turning a rejected promise into a typed `DatabaseError`.
 * Inside `captureWrites`, an operation that builds a drizzle write is not run: its statement
 * is collected instead and the operation reports no rows.
 *
 * @example dbTry("manifest.upsert", (db) => db.insert(coreManifest).values(row))
 */
export const dbTry = <A>(
  operation: string,
  run: (db: Database, client: Client) => PromiseLike<A>,
): Effect.Effect<A, DatabaseError, Db> =>
  Effect.flatMap(Effect.zip(Db, FiberRef.get(captured)), ([{ drizzle, client }, capture]) =>
    Effect.tryPromise({
      try: () => {
        const query = run(drizzle, client);
        const statement = capture === undefined ? undefined : writeStatementOf(query);
        if (statement === undefined) return Promise.resolve(query);
        capture?.push(statement);
        return Promise.resolve(NOT_RUN as A);
      },
      catch: (cause) => new DatabaseError({ operation, message: describeDbFailure(cause) }),
    }),
  ).pipe(Effect.withSpan(`Db.${operation}`));

/**
 * Runs `effect` with its drizzle writes collected instead of run (`dbTry`), and returns their
 * statements in order: how a run holds a store's write back to send it with its next one
 * (`core/pipeline/run-writes.ts`). Only for writes whose result nobody reads; reads, raw
 * client calls and stores not over libSQL run as usual.
 */
export const captureWrites = <E, R>(
  effect: Effect.Effect<unknown, E, R>,
): Effect.Effect<ReadonlyArray<InStatement>, E, R> =>
  Effect.suspend(() => {
    const statements: Array<InStatement> = [];
    return Effect.as(Effect.locally(effect, captured, statements), statements);
  });

/**
 * `dbTry` bound to one database: how a store's libSQL layer, built once over the `Db` of its
 * composition root, runs its statements without asking for `Db` again.
 */
export const dbTryOn =
  (db: DbShape) =>
  <A>(
    operation: string,
    run: (db: Database, client: Client) => PromiseLike<A>,
  ): Effect.Effect<A, DatabaseError> =>
    dbTry(operation, run).pipe(Effect.provideService(Db, db));
