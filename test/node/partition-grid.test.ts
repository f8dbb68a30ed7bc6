/**
 * The status page's reads of `core_manifest` on a real libSQL file with 100,000 partitions:
 * the query plans search `core_manifest_grid_idx` (covering, never a scan), keyset pages
 * walk the dates both ways, cells are the latest capture, and `core_partition_counts`
 * (kept by triggers) equals the count computed from the manifest.
 */
import { Effect, Layer } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GRID_CELLS_SQL,
  GRID_DAYS_AFTER_SQL,
  GRID_DAYS_BEFORE_SQL,
  gridCells,
  gridWindow,
  PartitionGrid,
  partitionStatusCounts,
} from "../../src/core/store/partition-grid";
import { Db } from "../../src/db/db";
import { migrateDatabase, openDatabase } from "../../src/node/database";
import { FILL_STATUSES, fillManifest } from "../fixtures/manifest-fill";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const DOMAIN = "bench_data";
const STAGE = "INGEST";
const DAYS = 2_500;
const SCOPES = 40;

let temp: TempDb;
let db: Awaited<ReturnType<typeof openDatabase>>;
const run = <A, E>(effect: Effect.Effect<A, E, PartitionGrid>) =>
  Effect.runPromise(
    effect.pipe(
      Effect.provide(
        PartitionGrid.Default.pipe(
          Layer.provide(Layer.succeed(Db, { drizzle: db, client: db.$client })),
        ),
      ),
    ),
  );

const plan = async (sql: string, args: Array<string | number>) =>
  (await db.$client.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args })).rows
    .map((r) => String(r.detail))
    .join("\n");

beforeAll(async () => {
  temp = await makeTempDb();
  db = await openDatabase({ url: temp.url });
  await migrateDatabase(db);
  await fillManifest(db.$client, { domain: DOMAIN, stage: STAGE, days: DAYS, scopes: SCOPES });
}, 120_000);

afterAll(async () => {
  db?.$client.close();
  await temp?.cleanup();
});

describe("partition grid queries", () => {
  it("search the covering grid index, never scan the manifest", async () => {
    const plans = [
      await plan(GRID_DAYS_BEFORE_SQL, [DOMAIN, STAGE, "9999", 15]),
      await plan(GRID_DAYS_AFTER_SQL, [DOMAIN, STAGE, "2001-01-01", 15]),
      await plan(GRID_CELLS_SQL, [DOMAIN, STAGE, "2001-01-01", "2001-01-14~", 5000]),
    ];
    for (const p of plans) {
      expect(p).toContain("USING COVERING INDEX core_manifest_grid_idx");
      expect(p).not.toMatch(/SCAN core_manifest\b/);
    }
    expect(plans[2]).toContain(
      "SEARCH core_manifest USING COVERING INDEX core_manifest_grid_idx (domain=? AND stage=? AND partition_key>? AND partition_key<?)",
    );
  });

  it("pages by date window with keyset cursors, both ways", async () => {
    const newest = await run(gridWindow(DOMAIN, STAGE, { kind: "newest" }, 14));
    expect(newest.days).toHaveLength(14);
    expect(newest.days[0]).toBe("2006-11-06"); // 2000-01-03 + 2,499 days
    expect(newest.newer).toBeNull();
    expect(newest.older).toBe(newest.days[13]);
    const older = await run(
      gridWindow(DOMAIN, STAGE, { kind: "before", date: newest.older ?? "" }, 14),
    );
    expect(older.days[0]).toBe("2006-10-23");
    expect(older.newer).toBe("2006-10-23");
    const back = await run(
      gridWindow(DOMAIN, STAGE, { kind: "after", date: older.newer ?? "" }, 14),
    );
    expect(back.days).toEqual(newest.days);
    const oldest = await run(gridWindow(DOMAIN, STAGE, { kind: "before", date: "2000-01-10" }, 14));
    expect(oldest.days).toEqual([
      "2000-01-09",
      "2000-01-08",
      "2000-01-07",
      "2000-01-06",
      "2000-01-05",
      "2000-01-04",
      "2000-01-03",
    ]);
    expect(oldest.older).toBeNull();
  });

  it("gives each partition's latest capture", async () => {
    const cells = await run(gridCells(DOMAIN, STAGE, "2000-01-03", "2000-01-04"));
    expect(cells).toHaveLength(2 * SCOPES);
    const first = cells.find((c) => c.partition_key === "2000-01-03|s000");
    // Partition 0 has an earlier failed capture and a later complete one.
    expect(first).toMatchObject({ status: "complete", captures: 2, scope: "s000" });
    expect(first?.capture_id).toBe(`${DOMAIN}.${STAGE}.2000-01-03|s000.b`);
    const sixth = cells.find((c) => c.partition_key === "2000-01-03|s006");
    expect(sixth).toMatchObject({ status: "failed", captures: 1 });
  });

  it("keeps core_partition_counts equal to the manifest's latest captures", async () => {
    const expected: Record<string, number> = {};
    for (let i = 0; i < DAYS * SCOPES; i++) {
      const s = FILL_STATUSES[i % FILL_STATUSES.length] ?? "";
      expected[s] = (expected[s] ?? 0) + 1;
    }
    const counted = async () =>
      (await run(partitionStatusCounts)).find((c) => c.domain === DOMAIN)?.counts;
    expect(await counted()).toEqual(expected);

    // A new capture supersedes; a status change moves the count; a delete gives it back.
    const c = db.$client;
    const key = "2000-01-03|s001";
    await c.execute({
      sql: `INSERT INTO core_manifest (capture_id, domain, stage, partition_key, captured_at, status)
            VALUES ('new', ?, ?, ?, '2030-01-01T00:00:00.000Z', 'running')`,
      args: [DOMAIN, STAGE, key],
    });
    expect(await counted()).toMatchObject({
      complete: (expected.complete ?? 0) - 1,
      running: (expected.running ?? 0) + 1,
    });
    // The runner's upsert: the trigger's own insert must not collide under its conflict policy.
    await c.execute(
      `INSERT INTO core_manifest (capture_id, domain, stage, partition_key, captured_at, status)
       VALUES ('new', 'x', 'x', 'x', 'x', 'failed')
       ON CONFLICT (capture_id) DO UPDATE SET status = excluded.status`,
    );
    expect(await counted()).toMatchObject({
      complete: (expected.complete ?? 0) - 1,
      running: expected.running,
      failed: (expected.failed ?? 0) + 1,
    });
    // An older capture's status change does not count: it is not the latest.
    await c.execute({
      sql: `UPDATE core_manifest SET status = 'skipped' WHERE capture_id = ?`,
      args: [`${DOMAIN}.${STAGE}.2000-01-03|s001.b`],
    });
    await c.execute("DELETE FROM core_manifest WHERE capture_id = 'new'");
    expect(await counted()).toEqual({
      ...expected,
      complete: (expected.complete ?? 0) - 1,
      skipped: (expected.skipped ?? 0) + 1,
    });
    const aggregate = await c.execute({
      sql: `SELECT status, count(*) AS n FROM (
              SELECT status, max(captured_at || capture_id) FROM core_manifest
              WHERE domain = ? AND stage = ? GROUP BY partition_key) GROUP BY status`,
      args: [DOMAIN, STAGE],
    });
    expect(Object.fromEntries(aggregate.rows.map((r) => [String(r.status), Number(r.n)]))).toEqual(
      await counted(),
    );
  });
});
