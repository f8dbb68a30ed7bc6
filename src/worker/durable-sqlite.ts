/**
 * drizzle over a Durable Object's SQLite storage, as `drizzle-orm/durable-sqlite`'s `drizzle()`
 * builds it without a schema. Nothing uses the relational `db.query`, and that function keeps
 * drizzle's relational setup in the bundle whether a schema is passed or not.
 */
import { DrizzleSqliteDODatabase, SQLiteDOSession } from "drizzle-orm/durable-sqlite";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { NoSchema } from "../db/hrana/drizzle";

/** Synchronous drizzle over `storage` (each call one local statement). */
export const durableSqlite = (storage: DurableObjectStorage): DrizzleSqliteDODatabase => {
  const dialect = new SQLiteSyncDialect();
  const session = new SQLiteDOSession<NoSchema, NoSchema>(storage, dialect, undefined, {});
  const db = new DrizzleSqliteDODatabase<NoSchema>("sync", dialect, session, undefined);
  return Object.assign(db, { $client: storage });
};
