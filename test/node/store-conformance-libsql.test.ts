/**
 * The shared store suite against the libSQL layers over a real libSQL file: each case on a
 * fresh copy of one migrated database.
 */
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { Effect, Layer } from "effect";
import { afterAll, beforeAll } from "vitest";
import { Db } from "../../src/db/db";
import { migrateDatabase, openDatabase } from "../../src/node/database";
import { storeConformance } from "../fixtures/store-conformance/index";
import { libsqlStores } from "../fixtures/stores";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let template: TempDb;
let copies = 0;

beforeAll(async () => {
  template = await makeTempDb("template.db");
  const db = await openDatabase({ url: template.url });
  await migrateDatabase(db);
  // Everything in the main file before it is copied (no pages left in a WAL).
  await db.$client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  db.$client.close();
}, 60_000);

afterAll(async () => {
  await template?.cleanup();
});

/** A fresh copy of the migrated template for one case. */
const freshCopy = Effect.promise(async () => {
  copies += 1;
  const path = join(template.dir, `case-${copies}.db`);
  await copyFile(template.path, path);
  return `file:${path}`;
});

storeConformance({
  name: "libSQL layers over a real file",
  layer: () =>
    Layer.unwrapEffect(Effect.map(freshCopy, (url) => libsqlStores(url, { migrate: false }))),
  breakDatabase: Effect.map(Db, (db) => db.client.close()),
});
