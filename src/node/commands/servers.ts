/**
 * `dataspine migrate`, `dataspine libsql-server`, `dataspine demo-feed`.
 */
import { parseArgs } from "node:util";
import { DEFAULT_DB_PATH, dbConfigFromEnv, migrateDatabase, openDatabase } from "../database";
import { startDemoFeed } from "../demo-feed-server";
import { startLibsqlServer } from "../libsql-server/server";
import { type Command, print, serveUntilSignal } from "./shared";

const serverArgs = (argv: ReadonlyArray<string>) =>
  parseArgs({
    args: [...argv],
    options: {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      db: { type: "string", default: DEFAULT_DB_PATH },
      "auth-token": { type: "string" },
      json: { type: "boolean", default: false },
    },
  }).values;

export const migrateCommand: Command = {
  name: "migrate",
  usage: "dataspine migrate [--json]",
  run: async (argv) => {
    const { json } = serverArgs(argv);
    const db = await openDatabase(dbConfigFromEnv());
    await migrateDatabase(db);
    db.$client.close();
    print(json, { migrated: true }, "migrations applied");
    return 0;
  },
};

export const libsqlServerCommand: Command = {
  name: "libsql-server",
  usage: `dataspine libsql-server [--port 8080] [--host 127.0.0.1] [--db ${DEFAULT_DB_PATH}] [--auth-token T]`,
  run: async (argv) => {
    const values = serverArgs(argv);
    const server = await startLibsqlServer({
      path: values.db,
      host: values.host,
      port: Number(values.port ?? 8080),
      ...(values["auth-token"] ? { authToken: values["auth-token"] } : {}),
    });
    process.stderr.write(`libSQL (Hrana over HTTP) listening on ${server.url}\n`);
    return serveUntilSignal(() => server.close());
  },
};

export const demoFeedCommand: Command = {
  name: "demo-feed",
  usage: "dataspine demo-feed [--port 8790] [--host 127.0.0.1]",
  run: async (argv) => {
    const values = serverArgs(argv);
    const feed = await startDemoFeed({ host: values.host, port: Number(values.port ?? 8790) });
    process.stderr.write(`demo feed (Polygon aggregates) listening on ${feed.url}\n`);
    return serveUntilSignal(() => feed.close());
  },
};
