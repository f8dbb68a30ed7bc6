/**
 * Interrupted captures: a capture left `running` by an owner that is gone is marked `failed`
 * (Interrupted) by the next run of its partition, or by a sweep at CLI start; one whose owner
 * still runs is left alone. A CLI owner is gone when its pid no longer runs the same process.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import { Effect, Layer, LogLevel } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../../src/audit/verify";
import { parseSourceLocation } from "../../src/core/ingest/source";
import { sourcePipeline } from "../../src/core/ingest/source-pipeline";
import { emptyCounts } from "../../src/core/model/run-result";
import type { Pipeline } from "../../src/core/pipeline/pipeline";
import { Registry } from "../../src/core/pipeline/registry";
import {
  markInterruptedCaptures,
  RunOwner,
  type RunOwnerInfo,
} from "../../src/core/pipeline/run-owner";
import { runPipeline } from "../../src/core/pipeline/runner";
import { upsertManifest } from "../../src/core/store/manifest";
import { cliProcessGone, cliRunOwner } from "../../src/node/run-owner";
import { nodePipelineLayer } from "../../src/node/runtime";
import { makeMigratedDb, sql } from "../fixtures/audit-db";
import { sourceFixture, sourceNamed } from "../fixtures/sources";
import type { TempDb } from "../fixtures/temp-db";

let db: TempDb;
beforeEach(async () => {
  db = await makeMigratedDb();
});
afterEach(async () => {
  await db.cleanup();
});

const FILE = sourceFixture("executions.csv");
const PARTITION = "file:executions.csv";
const DEAD: RunOwnerInfo = { kind: "cli", id: "dead" };
const ALIVE: RunOwnerInfo = { kind: "cli", id: "alive" };

/** An owner that knows `DEAD` is gone and `ALIVE` is not. */
const testOwner = Layer.succeed(RunOwner, {
  info: { kind: "cli", id: "me" },
  isGone: (other) => other.id === DEAD.id,
});

const layer = () =>
  Layer.merge(
    nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None }),
    testOwner,
  );

const pipeline = sourcePipeline(
  sourceNamed("execution_csv"),
  parseSourceLocation(FILE),
  NodeFileSystem.layer,
);

/** A `running` manifest row of the ingest's partition, owned by `owner`. */
const leftRunning = (captureId: string, owner: RunOwnerInfo) =>
  upsertManifest({
    captureId,
    domain: pipeline.domain,
    stage: pipeline.stage,
    partitionKey: PARTITION,
    capturedAt: "2026-01-01T00:00:00.000Z",
    status: "running",
    rowCount: null,
    executionId: `exec_${captureId}`,
    batchId: "test",
    metadata: {
      pipeline: pipeline.name,
      counts: emptyCounts,
      attempts: 0,
      startedAt: "2026-01-01T00:00:00.000Z",
      owner,
    },
  });

const statusOf = async (captureId: string) => {
  const [row] = await sql(
    db.url,
    `SELECT status, json_extract(metadata, '$.error.tag') AS tag FROM core_manifest WHERE capture_id = '${captureId}'`,
  );
  return { status: row?.status, tag: row?.tag };
};

describe("interrupted captures", () => {
  it("the next run of the partition marks a capture whose owner is gone, not one still running", async () => {
    const run = Effect.gen(function* () {
      yield* leftRunning("cap-dead", DEAD);
      yield* leftRunning("cap-alive", ALIVE);
      return yield* runPipeline(new Registry<Pipeline>("pipeline").register(pipeline), {
        pipeline: pipeline.name,
        partition: PARTITION,
        trigger: "cli",
      });
    });
    const result = await Effect.runPromise(run.pipe(Effect.provide(layer())));
    expect(result.status).toBe("complete");
    expect(await statusOf("cap-dead")).toEqual({ status: "failed", tag: "Interrupted" });
    expect(await statusOf("cap-alive")).toEqual({ status: "running", tag: null });
    const [own] = await sql(
      db.url,
      `SELECT json_extract(metadata, '$.owner.id') AS owner FROM core_manifest WHERE capture_id = '${result.capture_id}'`,
    );
    expect(own?.owner).toBe("me");
    const events = await sql(
      db.url,
      "SELECT capture_id FROM core_audit_log WHERE event_type = 'run_interrupted'",
    );
    expect(events.map((e) => e.capture_id)).toEqual(["cap-dead"]);
    const chain = await Effect.runPromise(verifyAuditChain().pipe(Effect.provide(layer())));
    expect(chain.ok).toBe(true);
  });

  it("a sweep of every partition marks only captures whose owner is gone; without an owner, none", async () => {
    const marked = await Effect.runPromise(
      Effect.gen(function* () {
        yield* leftRunning("cap-dead", DEAD);
        yield* leftRunning("cap-alive", ALIVE);
        return yield* markInterruptedCaptures();
      }).pipe(Effect.provide(layer())),
    );
    expect(marked).toEqual(["cap-dead"]);
    await sql(db.url, "UPDATE core_manifest SET status = 'running' WHERE capture_id = 'cap-dead'");
    const unowned = await Effect.runPromise(
      markInterruptedCaptures().pipe(
        Effect.provide(
          nodePipelineLayer({ db: { url: db.url }, vars: {}, logLevel: LogLevel.None }),
        ),
      ),
    );
    expect(unowned).toEqual([]);
  });
});

describe("CLI run owners", () => {
  it("this process is running; a process that exited is gone; another host cannot be judged", async () => {
    const me = cliRunOwner();
    expect(me.id.startsWith(`${hostname()}/`)).toBe(true);
    expect(cliProcessGone(me.id)).toBe(false);
    const child = spawn(process.execPath, ["-e", "0"]);
    const pid = child.pid as number;
    await new Promise((resolve) => child.once("exit", resolve));
    const [host, boot] = me.id.split("/");
    expect(cliProcessGone([host, boot, String(pid), "1"].join("/"))).toBe(true);
    expect(cliProcessGone(["elsewhere", boot, String(pid), "1"].join("/"))).toBe(false);
  });

  it("a reused pid (another start time) or another boot means the owner is gone", () => {
    const [host, boot, pid, start] = cliRunOwner().id.split("/");
    expect(cliProcessGone([host, boot, pid, `${start}9`].join("/"))).toBe(true);
    expect(cliProcessGone([host, "another-boot", pid, start].join("/"))).toBe(true);
  });
});
