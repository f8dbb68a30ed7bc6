/**
 * Backfills inside workerd: the routes, the `BackfillCoordinator` driven alarm by alarm
 * (never by sleeping), its crash recovery, and its hand-off to the partition actors.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { asc } from "drizzle-orm";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { newBackfillId } from "../../src/core/backfill/backfill";
import { createBackfill, updatePartition } from "../../src/core/backfill/store";
import { PartitionKey, PipelineName } from "../../src/core/model/ids";
import * as backfillSchema from "../../src/db/backfill-schema";
import { backfillCoordinator, partitionActor } from "../../src/worker/actors";
import type { BackfillCoordinator } from "../../src/worker/backfill-coordinator";
import { get as getPath, post as postPath, WRITE_TOKEN } from "./api";

const PIPELINE = "market_data.ingest_prices";

const post = (body: unknown, token: string | null = WRITE_TOKEN) =>
  postPath("/backfills", body, token);

const get = (id: string) => getPath(`/backfills/${id}`);

type Progress = NonNullable<Awaited<ReturnType<typeof readProgressOf>>>;
const readProgressOf = async (backfillId: string) => {
  const reply = await backfillCoordinator(env, backfillId).progress();
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
};

/**
 * Fires the coordinator's alarm until `until` holds (default: the backfill is over).
 * workerd also fires alarms on its own; when it got there first (no alarm left to fire),
 * calling `alarm()` joins the slice in flight instead of waiting on a timer.
 */
const drive = async (
  backfillId: string,
  until: (p: Progress) => boolean = (p) => p.status !== "running",
) => {
  const stub = backfillCoordinator(env, backfillId);
  for (let i = 0; i < 50; i++) {
    const fired = await runDurableObjectAlarm(stub);
    const progress = await readProgressOf(backfillId);
    if (progress && until(progress)) return progress;
    if (!fired) await runInDurableObject(stub, (c: BackfillCoordinator) => c.alarm());
  }
  throw new Error(`backfill ${backfillId} did not get there`);
};

const setFaults = async (faults: Record<string, unknown>) => {
  const res = await fetch(`${env.MARKET_DATA_BASE_URL}/__faults`, {
    method: "POST",
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
};

const historyOf = async (partition: string) =>
  (await partitionActor(env, PIPELINE, partition).status())?.history ?? [];

describe("POST /backfills, GET /backfills/:id", () => {
  it("requires the bearer token", async () => {
    const body = { pipeline: PIPELINE, start: "2025-04-01", end: "2025-04-02" };
    for (const token of [null, "wrong"]) {
      const res = await post({ ...body, params: { universe: "demo" } }, token);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: "Unauthorized" });
    }
  });

  it("bad requests and unknown ids get typed JSON errors", async () => {
    const range = { pipeline: PIPELINE, params: { universe: "demo" } };
    const cases = [
      [post("{nope"), 400, "InvalidRequest"],
      [post({ pipeline: PIPELINE, start: "2025-04-01" }), 400, "InvalidRequest"],
      [
        post({ ...range, start: "2025-04-01", end: "2025-04-02", concurrency: 0 }),
        400,
        "InvalidRequest",
      ],
      [post({ ...range, start: "2025-04-10", end: "2025-04-01" }), 400, "InvalidBackfillRange"],
      [post({ ...range, start: "2025-02-30", end: "2025-03-02" }), 400, "InvalidBackfillRange"],
      [post({ ...range, start: "2015-01-01", end: "2025-01-01" }), 400, "InvalidBackfillRange"],
      [
        post({ pipeline: PIPELINE, start: "2025-04-01", end: "2025-04-02" }),
        400,
        "InvalidBackfillParams",
      ],
      [
        post({ ...range, params: { universe: "nowhere" }, start: "2025-04-01", end: "2025-04-02" }),
        400,
        "InvalidBackfillParams",
      ],
      [
        post({ ...range, pipeline: "nope.nothing", start: "2025-04-01", end: "2025-04-02" }),
        404,
        "UnknownPipeline",
      ],
      [get(newBackfillId(new Date())), 404, "BackfillNotFound"],
      [get("not-a-backfill-id"), 404, "BackfillNotFound"],
    ] as const;
    for (const [pending, status, tag] of cases) {
      const res = await pending;
      expect({ status: res.status, body: await res.json() }).toMatchObject({
        status,
        body: { error: tag },
      });
    }
  });

  it("fans a range out through the partition actors, slice by slice, to completion", async () => {
    const res = await post({
      pipeline: PIPELINE,
      start: "2025-04-01",
      end: "2025-04-10",
      params: { universe: "demo" },
      concurrency: 1,
    });
    expect(res.status).toBe(202);
    const accepted = (await res.json()) as { backfill_id: string; partitions: number };
    expect(accepted).toEqual({ backfill_id: expect.stringMatching(/^backfill\./), partitions: 10 });
    expect(res.headers.get("location")).toBe(`/backfills/${accepted.backfill_id}`);

    // concurrency 1 ⇒ 4 partitions per alarm: finishing takes at least three re-armed alarms.
    await drive(accepted.backfill_id);
    const progress = await get(accepted.backfill_id);
    expect(progress.status).toBe(200);
    expect(await progress.json()).toMatchObject({
      backfill_id: accepted.backfill_id,
      pipeline: PIPELINE,
      start: "2025-04-01",
      end: "2025-04-10",
      params: { universe: "demo" },
      status: "complete",
      total: 10,
      complete: 8, // Tue 1st … Thu 10th minus the weekend
      no_data_expected: 2, // Sat 5th, Sun 6th
      failed: 0,
      running: 0,
      pending: 0,
      retrying: 0,
      failures: [],
      finished_at: expect.any(String),
    });
    // Each partition ran exactly once, through its actor, as part of this backfill.
    for (const day of ["01", "04", "05", "07", "10"]) {
      const history = await historyOf(`2025-04-${day}|demo`);
      expect(history.map((h) => h.trigger)).toEqual(["backfill"]);
    }
    expect((await historyOf("2025-04-05|demo"))[0]?.status).toBe("no_data_expected");
    // Nothing left scheduled once finished.
    expect(await runDurableObjectAlarm(backfillCoordinator(env, accepted.backfill_id))).toBe(false);
  });

  it("resumes a crashed slice without repeating work, and records a failed partition", async () => {
    const backfillId = newBackfillId(new Date());
    const stub = backfillCoordinator(env, backfillId);
    const keys = ["2025-04-14|demo", "2025-04-15|demo", "2025-04-99|demo", "2025-04-16|demo"];
    // 04-14 ran to completion, but the invocation died before recording it.
    const ran = await partitionActor(env, PIPELINE, keys[0]!).run({
      pipeline: PIPELINE,
      partition: keys[0]!,
      trigger: "backfill",
      batchId: backfillId,
    });
    await runInDurableObject(stub, async (_c: BackfillCoordinator, state) => {
      const db = drizzle(state.storage, { schema: backfillSchema });
      createBackfill(db, {
        backfillId,
        plan: {
          pipeline: PipelineName.make(PIPELINE),
          start: "2025-04-14",
          end: "2025-04-16",
          params: { universe: "demo" },
          partitions: keys.map((k) => PartitionKey.make(k)),
        },
        concurrency: 2,
        sliceSize: 8,
        now: new Date().toISOString(),
      });
      const before = new Date(Date.parse(ran.result.started_at) - 1000).toISOString();
      // 04-14 dispatched before its actor ran; 04-15 dispatched, its actor never reached.
      updatePartition(db, 0, { status: "running", dispatches: 1, dispatchedAt: before });
      updatePartition(db, 1, { status: "running", dispatches: 1, dispatchedAt: before });
      await state.storage.setAlarm(Date.now() + 60_000);
    });

    const progress = await drive(backfillId);
    expect(progress).toMatchObject({ status: "failed", total: 4, complete: 3, failed: 1 });
    expect(progress?.failures).toEqual([
      {
        partition: "2025-04-99|demo",
        error: expect.objectContaining({ tag: "InvalidPartitionKey" }),
      },
    ]);
    expect(await historyOf(keys[0]!)).toHaveLength(1);
    expect(await historyOf(keys[1]!)).toHaveLength(1);
    const rows = await runInDurableObject(stub, (_c: BackfillCoordinator, state) =>
      drizzle(state.storage, { schema: backfillSchema })
        .select()
        .from(backfillSchema.backfillPartitions)
        .orderBy(asc(backfillSchema.backfillPartitions.ordinal))
        .all(),
    );
    // The adopted run is the one that happened before the crash.
    expect(rows[0]).toMatchObject({ status: "complete", captureId: ran.result.capture_id });
    expect(rows.map((r) => r.status)).toEqual(["complete", "complete", "failed", "complete"]);

    const viaHttp = await get(backfillId);
    expect(await viaHttp.json()).toMatchObject({ status: "failed", failed: 1, complete: 3 });
  });

  it("waits for a partition the actor is retrying, and records how the retry ended", async () => {
    await setFaults({ error_rate: 1, statuses: [503], match: "/2025-04-22/" });
    try {
      const res = await post({
        pipeline: PIPELINE,
        start: "2025-04-21",
        end: "2025-04-23",
        params: { universe: "demo" },
      });
      const { backfill_id } = (await res.json()) as { backfill_id: string };
      const waiting = await drive(backfill_id, (p) => p.pending + p.running === 0);
      expect(waiting).toMatchObject({ status: "running", complete: 2, retrying: 1 });
      // Asking again changes nothing while the actor still waits for its own alarm.
      expect(await drive(backfill_id, () => true)).toMatchObject({ retrying: 1 });

      await setFaults({ error_rate: 0 });
      const actor = partitionActor(env, PIPELINE, "2025-04-22|demo");
      expect(await runDurableObjectAlarm(actor)).toBe(true);
      const done = await drive(backfill_id);
      expect(done).toMatchObject({ status: "complete", complete: 3, retrying: 0, failed: 0 });
      expect((await historyOf("2025-04-22|demo")).map((h) => h.trigger)).toEqual([
        "alarm",
        "backfill",
      ]);
    } finally {
      await setFaults({ error_rate: 0 });
    }
  });
});
