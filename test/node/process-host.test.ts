/**
 * The in-process host's alarms (`src/host/`), beyond the actor contract: other kinds of actors
 * registered with `onAlarm`, an alarm a handler moves, a handler that fails, and the poller
 * started by `start()` firing a due alarm on its own. A real libSQL file.
 */
import { LogLevel, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActorRuntime } from "../../src/actors/partition-actor-core";
import { appConfigFromVars } from "../../src/core/config/app-config";
import { FAILED_ALARM_DELAY_MS, ProcessHost } from "../../src/host/process-host";
import { nodePipelineLayer } from "../../src/node/runtime";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
let runtime: ActorRuntime;
let host: ProcessHost;

beforeAll(async () => {
  db = await makeTempDb();
  runtime = ManagedRuntime.make(
    nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None }),
  );
  host = await ProcessHost.make({
    runtime,
    policy: appConfigFromVars({}).alarm,
    pollIntervalMs: 20,
  });
});

afterAll(async () => {
  await host?.stop();
  await runtime?.dispose();
  await db?.cleanup();
});

describe("ProcessHost alarms", () => {
  it("fires a registered kind when due, once, and only when due", async () => {
    const woken: Array<string> = [];
    host.onAlarm("outbox", async (name) => {
      woken.push(name);
    });
    const key = { kind: "outbox", name: "webhook-1" };
    await host.setAlarm(key, 1_000);
    expect(await host.poll(999)).toEqual([]);
    expect(await host.poll(1_000)).toEqual([key]);
    expect(woken).toEqual(["webhook-1"]);
    expect(await host.alarmAt(key)).toBeNull();
    expect(await host.poll(5_000)).toEqual([]);
  });

  it("keeps an alarm its handler moved, and re-arms one whose handler failed", async () => {
    const moved = { kind: "moving", name: "m" };
    host.onAlarm("moving", async () => host.setAlarm(moved, 50_000));
    await host.setAlarm(moved, 2_000);
    await host.poll(2_000);
    expect(await host.alarmAt(moved)).toBe(50_000);

    const failing = { kind: "failing", name: "f" };
    host.onAlarm("failing", async () => {
      throw new Error("webhook down");
    });
    await host.setAlarm(failing, 3_000);
    const before = Date.now();
    await host.poll(3_000);
    const next = (await host.alarmAt(failing)) ?? 0;
    expect(next).toBeGreaterThanOrEqual(before + FAILED_ALARM_DELAY_MS);
    await host.deleteAlarm(moved);
    await host.deleteAlarm(failing);
  });

  it("an alarm of a kind nobody handles is re-armed, not lost", async () => {
    const orphan = { kind: "unknown-kind", name: "x" };
    await host.setAlarm(orphan, 4_000);
    expect(await host.poll(4_000)).toEqual([orphan]);
    expect(await host.alarmAt(orphan)).toBeGreaterThan(4_000);
    await host.deleteAlarm(orphan);
  });

  it("once started, the poller fires a due alarm by itself", async () => {
    let wake: (name: string) => void = () => {};
    const woken = new Promise<string>((resolve) => {
      wake = resolve;
    });
    host.onAlarm("tick", async (name) => wake(name));
    await host.start();
    await host.setAlarm({ kind: "tick", name: "now" }, Date.now());
    expect(await woken).toBe("now");
  });
});
