import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { partitionState } from "../../src/db/actor-schema";
import { partitionActor } from "../../src/worker/actors";
import worker from "../../src/worker/index";
import type { PartitionActor } from "../../src/worker/partition-actor";
import { get } from "./api";

const PIPELINE = "market_data.ingest_prices";
const request = (partition: string) => ({
  pipeline: PIPELINE,
  partition,
  trigger: "http" as const,
});

describe("PartitionActor", () => {
  it("keeps its state in its own SQLite", async () => {
    const partition = "2025-03-04|demo";
    const stub = partitionActor(env, PIPELINE, partition);
    const { result } = await stub.run(request(partition));
    const row = await runInDurableObject(stub, (_instance: PartitionActor, state) =>
      drizzle(state.storage).select().from(partitionState).get(),
    );
    expect(row).toMatchObject({
      pipeline: PIPELINE,
      partitionKey: partition,
      status: "complete",
      captureId: result.capture_id,
      rowCount: 20,
      attempts: 1,
      retryCount: 0,
      nextRetryAt: null,
    });
    expect(JSON.parse(String(row?.lastResult))).toEqual(result);
  });

  it("a run the actor was retrying is run again by its alarm", async () => {
    const partition = "2025-03-05|demo";
    const stub = partitionActor(env, PIPELINE, partition);
    await stub.run(request(partition));
    const retryAt = Date.now() + 60_000;
    await runInDurableObject(stub, async (_instance: PartitionActor, state) => {
      drizzle(state.storage)
        .update(partitionState)
        .set({
          status: "retrying",
          attempts: 2,
          retryCount: 1,
          nextRetryAt: new Date(retryAt).toISOString(),
        })
        .run();
      await state.storage.setAlarm(retryAt);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const status = await stub.status();
    expect(status).toMatchObject({
      status: "complete",
      attempts: 3,
      retry_count: 1,
      next_retry_at: null,
    });
    expect(status?.history[0]).toMatchObject({ trigger: "alarm", status: "complete", attempt: 3 });
    // Nothing left scheduled.
    expect(await runDurableObjectAlarm(stub)).toBe(false);
  });

  it("an alarm with nothing to retry does nothing", async () => {
    const partition = "2025-03-06|demo";
    const stub = partitionActor(env, PIPELINE, partition);
    await stub.run(request(partition));
    await runInDurableObject(stub, (_i: PartitionActor, state) =>
      state.storage.setAlarm(Date.now() + 1000),
    );
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await stub.status())?.history).toHaveLength(1);
  });
});

describe("scheduled handler", () => {
  it("ingests the latest closed trading day of every live universe, once", async () => {
    // Monday 2025-03-10 18:00 New York (EDT): that day's session has closed.
    const scheduledTime = Date.parse("2025-03-10T22:00:00Z");
    const controller = createScheduledController({ scheduledTime, cron: "*/15 * * * *" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const res = await get(`/partitions/${PIPELINE}/${encodeURIComponent("2025-03-10|demo")}`);
    expect(res.status).toBe(200);
    const status = (await res.json()) as { status: string; history: Array<{ trigger: string }> };
    expect(status.status).toBe("complete");
    expect(status.history.map((h) => h.trigger)).toEqual(["cron"]);

    // The next tick finds the partition complete and leaves it alone.
    const ctx2 = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: scheduledTime + 900_000, cron: "*/15 * * * *" }),
      env,
      ctx2,
    );
    await waitOnExecutionContext(ctx2);
    const after = (await partitionActor(env, PIPELINE, "2025-03-10|demo").status())?.history;
    expect(after).toHaveLength(1);
  });

  it("before the close it ingests the previous trading day", async () => {
    // Tuesday 2025-03-11 10:00 New York: the latest closed session is Monday's.
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({
        scheduledTime: Date.parse("2025-03-11T14:00:00Z"),
        cron: "*/15 * * * *",
      }),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(await partitionActor(env, PIPELINE, "2025-03-11|demo").status()).toBeNull();
    expect((await partitionActor(env, PIPELINE, "2025-03-10|demo").status())?.status).toBe(
      "complete",
    );
  });
});
