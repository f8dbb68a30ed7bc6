/**
 * Starts the real servers the Worker talks to: a libSQL endpoint over a migrated temp
 * database, and the demo feed, on the ports of the project's bindings. Stops both after.
 */
import { migrateDatabase, openDatabase } from "../../src/node/database";
import { startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { startLibsqlServer } from "../../src/node/dev/libsql-server/server";
import { makeTempDb } from "../fixtures/temp-db";

interface ProjectLike {
  readonly config: {
    readonly root: string;
    readonly poolOptions?: {
      readonly workers?: { readonly miniflare?: { readonly bindings?: Record<string, unknown> } };
    };
  };
}

const portOf = (bindings: Record<string, unknown> | undefined, name: string): number => {
  const url = bindings?.[name];
  if (typeof url !== "string") throw new Error(`binding ${name} is missing`);
  return Number(new URL(url).port);
};

export default async function setup(project: ProjectLike) {
  const bindings = project.config.poolOptions?.workers?.miniflare?.bindings;
  const tempDb = await makeTempDb();
  const libsql = await startLibsqlServer({
    path: tempDb.path,
    port: portOf(bindings, "LIBSQL_URL"),
  });
  const db = await openDatabase({ url: libsql.url });
  await migrateDatabase(db);
  db.$client.close();
  const feed = await startDemoFeed({ port: portOf(bindings, "MARKET_DATA_BASE_URL") });
  return async () => {
    await feed.close();
    await libsql.close();
    await tempDb.cleanup();
  };
}
