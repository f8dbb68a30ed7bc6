/**
 * The `Db` service: drizzle over one `@libsql/client` connection.
 *
 * The client is created by the entry point (`@libsql/client` in Node, `@libsql/client/http`
 * in the Worker) so this module stays runtime-neutral.
 */
import type { Client } from "@libsql/client";
import type { LibSQLDatabase } from "drizzle-orm/libsql";
import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { DatabaseError, describeUnknown } from "./errors";
import type * as schema from "./schema/index";

/** The drizzle database over the shared schema. */
export type Database = LibSQLDatabase<typeof schema>;

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

/**
 * Runs one database operation, turning a rejected promise into a typed `DatabaseError`.
 *
 * @example dbTry("manifest.upsert", (db) => db.insert(coreManifest).values(row))
 */
export const dbTry = <A>(
  operation: string,
  run: (db: Database, client: Client) => PromiseLike<A>,
): Effect.Effect<A, DatabaseError, Db> =>
  Effect.flatMap(Db, ({ drizzle, client }) =>
    Effect.tryPromise({
      try: () => Promise.resolve(run(drizzle, client)),
      catch: (cause) => new DatabaseError({ operation, message: describeDbFailure(cause) }),
    }),
  ).pipe(Effect.withSpan(`Db.${operation}`));

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
