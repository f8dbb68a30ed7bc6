/**
 * The Deno host end to end: the libSQL endpoint, the demo feed and `src/deno/main.ts` under
 * Deno (from the `deno` npm package) on free ports, over real HTTP; then the actor contract
 * suite inside Deno (`deno test`). Every process started here is stopped in afterAll.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestClosedTradingDay } from "../../src/calendar/sessions";
import { migrateDatabase, openDatabase } from "../../src/node/database";
import {
  type DenoHost,
  type DenoStack,
  denoExecutable,
  startDenoHost,
  startDenoStack,
} from "../../src/node/dev/deno-stack";
import { startLibsqlServer } from "../../src/node/dev/libsql-server/server";
import { buildOpenApi } from "../../src/worker/api/openapi";
import { freePort } from "../fixtures/ports";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "deno-smoke-token";
const PIPELINE = "market_data.ingest_prices";
const AUTH = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };

/** `GET` on the host with the token (every read needs one, as on Workers). */
const get = (path: string) =>
  fetch(`${host.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });

let db: TempDb;
let stack: DenoStack;
/** The host now serving (a test restarts it). */
let host: DenoHost;

beforeAll(async () => {
  db = await makeTempDb();
  stack = await startDenoStack({
    dbPath: db.path,
    libsqlPort: await freePort(),
    feedPort: await freePort(),
    port: await freePort(),
    output: "ignore",
    vars: {
      DATASPINE_API_TOKEN: TOKEN,
      DATASPINE_TEST_SCHEDULED: "1",
      RETRY_BASE_DELAY_MS: "5",
      ALARM_BASE_DELAY_MS: "1000",
      HOST_POLL_INTERVAL_MS: "100",
      LOG_LEVEL: "ERROR",
    },
  });
  host = stack.host;
});

afterAll(async () => {
  if (host && host !== stack?.host) await host.stop();
  await stack?.stop();
  await db?.cleanup();
});

const setFaults = async (faults: Record<string, unknown>) => {
  const res = await fetch(`${stack.marketDataBaseUrl}/__faults`, {
    method: "POST",
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
  await res.body?.cancel();
};

const postRun = (partition: string) =>
  fetch(`${host.url}/runs`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ pipeline: PIPELINE, partition }),
  });

interface Status {
  status: string;
  attempts: number;
  capture_id: string;
  row_count: number;
  history: Array<{ trigger: string; execution_id: string }>;
}
const statusOf = async (partition: string): Promise<Status | null> => {
  const res = await get(`/partitions/${PIPELINE}/${encodeURIComponent(partition)}`);
  if (res.status === 404) return null;
  expect(res.status).toBe(200);
  return (await res.json()) as Status;
};

/** Polls `read` every 100 ms until `done` holds (the host works on its own schedule). */
const until = async <A>(read: () => Promise<A>, done: (a: A) => boolean, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * The run history of a partition the host retried: the `http` run, then alarm runs only (one,
 * or more when the machine was slow to heal the feed before the first retry), newest first.
 */
const expectRetriedAfterHttp = (status: Status | null) => {
  const triggers = status?.history.map((h) => h.trigger) ?? [];
  expect(triggers.at(-1)).toBe("http");
  expect(triggers.length).toBeGreaterThan(1);
  expect(triggers.slice(0, -1).every((t) => t === "alarm")).toBe(true);
  expect(status?.attempts).toBe(triggers.length);
};

const rowsOn = async (date: string) => {
  const client = createClient({ url: stack.libsqlUrl });
  try {
    const rs = await client.execute({
      sql: "SELECT count(*) AS n, min(execution_id) AS first, max(execution_id) AS last FROM market_prices WHERE trading_date = ?",
      args: [date],
    });
    return rs.rows[0];
  } finally {
    client.close();
  }
};

describe("the Deno host (Deno.serve + libSQL endpoint + demo feed)", () => {
  it("POST /runs twice: the same rows, the second run re-runs cleanly", async () => {
    const first = await postRun("2025-01-02|demo");
    expect(first.status).toBe(200);
    const a = (await first.json()) as { status: string; execution_id: string; counts: object };
    expect(a).toMatchObject({
      status: "complete",
      counts: { received: 20, valid: 20, quarantined: 0, written: 20 },
    });
    const second = await postRun("2025-01-02|demo");
    const b = (await second.json()) as { status: string; execution_id: string; capture_id: string };
    expect(b.status).toBe("complete");
    expect(b.execution_id).not.toBe(a.execution_id);
    // Re-runs upsert: still 20 rows, now all stamped with the second run.
    expect(await rowsOn("2025-01-02")).toMatchObject({
      n: 20,
      first: b.execution_id,
      last: b.execution_id,
    });
    const status = await statusOf("2025-01-02|demo");
    expect(status).toMatchObject({ status: "complete", capture_id: b.capture_id, row_count: 20 });
    expect(status?.history.map((h) => h.execution_id)).toEqual([b.execution_id, a.execution_id]);
    expect((await fetch(`${host.url}/runs`, { method: "POST", body: "{}" })).status).toBe(401);
  });

  it("GET /partitions/:pipeline/:partition answers as the Durable Object does", async () => {
    const path = `/partitions/${PIPELINE}/${encodeURIComponent("2025-01-06|demo")}`;
    // The same HTTP boundary as on Workers: no token, no read.
    expect((await fetch(`${host.url}${path}`)).status).toBe(401);
    const missing = await get(path);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "PartitionNotFound" });
    const listed = (await (await get(`/partitions?pipeline=${PIPELINE}`)).json()) as {
      partitions: Array<{ partition_key: string; status: string }>;
    };
    expect(listed.partitions.find((p) => p.partition_key === "2025-01-02|demo")?.status).toBe(
      "complete",
    );
  });

  it("serves the status page from the same app", async () => {
    const res = await fetch(`${host.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(PIPELINE);
  });

  it("serves the API description without a token: the document the route table builds", async () => {
    const res = await fetch(`${host.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it("a cron tick ingests the current partition", async () => {
    const res = await fetch(`${host.url}/__scheduled?cron=${encodeURIComponent("*/15 * * * *")}`);
    expect(res.status).toBe(200);
    const partition = `${latestClosedTradingDay(Date.now())}|demo`;
    // Deno.cron has the same schedule registered: a real tick may have run the partition first.
    expect(await res.json()).toMatchObject({
      cron: "*/15 * * * *",
      runs: [{ pipeline: PIPELINE, partition, status: "complete" }],
    });
    const status = await statusOf(partition);
    expect(status?.history.map((h) => h.trigger)).toEqual(["cron"]);
  });

  it("a failing partition is retried by the host's poller until it completes", async () => {
    const partition = "2025-01-03|demo";
    await setFaults({ error_rate: 1, statuses: [503], match: "/2025-01-03/" });
    const res = await postRun(partition);
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: "retrying", error: { retryable: true } });
    await setFaults({ error_rate: 0 });
    const done = await until(
      () => statusOf(partition),
      (s) => s?.status === "complete",
    );
    expect(done).toMatchObject({ status: "complete", row_count: 20 });
    expectRetriedAfterHttp(done);
  });

  it("a host killed with a retry scheduled: the next host runs the retry", async () => {
    const partition = "2025-01-07|demo";
    await setFaults({ error_rate: 1, statuses: [503], match: "/2025-01-07/" });
    expect((await postRun(partition)).status).toBe(202);
    await host.stop("SIGKILL");
    await setFaults({ error_rate: 0 });
    host = await startDenoHost({ port: await freePort(), vars: stack.vars, output: "ignore" });
    const done = await until(
      () => statusOf(partition),
      (s) => s?.status === "complete",
    );
    expect(done).toMatchObject({ status: "complete", row_count: 20 });
    expectRetriedAfterHttp(done);
  });

  it("a backfill and a replay are fanned out by the host's alarms", async () => {
    const range = {
      pipeline: PIPELINE,
      start: "2025-01-13",
      end: "2025-01-17",
      params: { universe: "demo" },
    };
    const started = await fetch(`${host.url}/backfills`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify(range),
    });
    expect(started.status).toBe(202);
    const { backfill_id } = (await started.json()) as { backfill_id: string };
    const progress = await until(
      async () => (await (await get(`/backfills/${backfill_id}`)).json()) as { status: string },
      (p) => p.status !== "running",
    );
    expect(progress).toMatchObject({ status: "complete", total: 5, complete: 5, failed: 0 });

    const replay = await fetch(`${host.url}/replays`, {
      method: "POST",
      headers: AUTH,
      body: JSON.stringify(range),
    });
    expect(replay.status).toBe(202);
    const { replay_id } = (await replay.json()) as { replay_id: string };
    const state = await until(
      async () => (await (await get(`/replays/${replay_id}`)).json()) as { status: string },
      (s) => s.status !== "running",
    );
    expect(state).toMatchObject({
      status: "complete",
      replayed: 5,
      records: 100,
      reconciliation: { clean: 5 },
    });
    // Both are mirrored into core_operations for the status page, as on Workers. The mirror
    // is written after the coordinator's own state, so a read may briefly see the last slice's.
    const client = createClient({ url: stack.libsqlUrl });
    try {
      const ops = await until(
        async () =>
          (
            await client.execute({
              sql: "SELECT operation_id, kind, status, total, done FROM core_operations WHERE operation_id IN (?, ?) ORDER BY kind",
              args: [backfill_id, replay_id],
            })
          ).rows.map((r) => ({ ...r })),
        (rows) => rows.every((r) => r.status !== "running"),
      );
      expect(ops).toEqual([
        { operation_id: backfill_id, kind: "backfill", status: "complete", total: 5, done: 5 },
        { operation_id: replay_id, kind: "replay", status: "complete", total: 5, done: 5 },
      ]);
    } finally {
      client.close();
    }
  });

  it("the actor contract suite passes inside Deno", async () => {
    // A database of its own: one host per database, and the smoke's host is still running.
    const contractDb = await makeTempDb();
    const migrated = await openDatabase({ url: contractDb.url });
    await migrateDatabase(migrated);
    migrated.$client.close();
    const libsql = await startLibsqlServer({ path: contractDb.path, port: await freePort() });
    const child = spawn(
      denoExecutable(),
      // Type-checked by `deno check` in `npm run test:deno`.
      ["test", "--no-check", "--allow-net", "--allow-env", "test/deno/actor-contract.deno.ts"],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DENO_NO_UPDATE_CHECK: "1",
          NO_COLOR: "1",
          LIBSQL_URL: libsql.url,
          MARKET_DATA_BASE_URL: stack.marketDataBaseUrl,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once("exit", done));
    await libsql.close();
    await contractDb.cleanup();
    expect(output).toMatch(/ok \| 9 passed \| 0 failed/);
    expect(code).toBe(0);
  }, 180_000);
});
