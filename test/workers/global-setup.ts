/**
 * Starts the real servers the Worker talks to: a libSQL endpoint over a migrated temp
 * database, and the demo feed. Stops both after the run.
 */
import { migrateDatabase, openDatabase } from "../../src/node/database";
import { startDemoFeed } from "../../src/node/demo-feed-server";
import { startLibsqlServer } from "../../src/node/libsql-server/server";
import { makeTempDb } from "../fixtures/temp-db";

export default async function setup() {
  const tempDb = await makeTempDb();
  const libsql = await startLibsqlServer({
    path: tempDb.path,
    port: Number(process.env.DATASPINE_TEST_LIBSQL_PORT),
  });
  const db = await openDatabase({ url: libsql.url });
  await migrateDatabase(db);
  db.$client.close();
  const feed = await startDemoFeed({ port: Number(process.env.DATASPINE_TEST_FEED_PORT) });
  return async () => {
    await feed.close();
    await libsql.close();
    await tempDb.cleanup();
  };
}
