/**
 * Starts the real servers the Worker talks to: a libSQL endpoint over a migrated temp
 * database, and the demo feed, on the ports of the project's bindings; and a second libSQL
 * endpoint over a database of its own (`COUNTED_LIBSQL_URL`), for the tests that count the
 * requests of a run. Stops them after.
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

/** A libSQL endpoint over a new migrated database on `port`. */
const startMigrated = async (port: number) => {
  const tempDb = await makeTempDb();
  const server = await startLibsqlServer({ path: tempDb.path, port });
  const db = await openDatabase({ url: server.url });
  await migrateDatabase(db);
  db.$client.close();
  return {
    close: async () => {
      await server.close();
      await tempDb.cleanup();
    },
  };
};

export default async function setup(project: ProjectLike) {
  const bindings = project.config.poolOptions?.workers?.miniflare?.bindings;
  const libsql = await startMigrated(portOf(bindings, "LIBSQL_URL"));
  const counted = await startMigrated(portOf(bindings, "COUNTED_LIBSQL_URL"));
  const feed = await startDemoFeed({ port: portOf(bindings, "MARKET_DATA_BASE_URL") });
  return async () => {
    await feed.close();
    await counted.close();
    await libsql.close();
  };
}
