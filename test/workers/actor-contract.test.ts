/**
 * The actor contract (`test/fixtures/actor-contract.ts`) against the `PartitionActor` Durable
 * Object inside workerd: alarms fired with `runDurableObjectAlarm`, a restart by resetting the
 * object (`ctx.abort()`), its next call meeting a new instance over the same storage.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { createClient } from "@libsql/client/web";
import { drizzle } from "drizzle-orm/durable-sqlite";
import { describe, expect, it } from "vitest";
import { partitionState } from "../../src/db/actor-schema";
import { partitionActor } from "../../src/worker/actors";
import type { PartitionActor } from "../../src/worker/partition-actor";
import { type ActorHarness, actorContract, CONTRACT_PIPELINE } from "../fixtures/actor-contract";

const stub = (partition: string) => partitionActor(env, CONTRACT_PIPELINE, partition);

const harness: ActorHarness = {
  actor: (partition) => {
    const s = stub(partition);
    return {
      run: (request) => s.run(request),
      runWorkflow: () => Promise.reject(new Error("not part of the contract suite")),
      status: () => s.status(),
    };
  },
  fireRetry: (partition) => runDurableObjectAlarm(stub(partition)),
  restart: async (partition) => {
    // abort() resets the object; the call that made it fails with the reason.
    await runInDurableObject(stub(partition), (_i: PartitionActor, state) =>
      state.abort("contract test restart"),
    ).catch((error: unknown) => {
      if (!String(error).includes("contract test restart")) throw error;
    });
  },
  markRunning: (partition) =>
    runInDurableObject(stub(partition), (_i: PartitionActor, state) => {
      drizzle(state.storage).update(partitionState).set({ status: "running" }).run();
    }),
  manifestStatus: async (captureId) => {
    const client = createClient({ url: env.LIBSQL_URL });
    try {
      const rs = await client.execute({
        sql: "SELECT status FROM core_manifest WHERE capture_id = ?",
        args: [captureId],
      });
      return (rs.rows[0]?.status as string | undefined) ?? null;
    } finally {
      client.close();
    }
  },
  setFaults: async (faults) => {
    const res = await fetch(`${env.MARKET_DATA_BASE_URL}/__faults`, {
      method: "POST",
      body: JSON.stringify(faults),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
  },
};

describe("actor contract: the PartitionActor Durable Object", () => {
  for (const contractCase of actorContract(expect)) {
    it(contractCase.name, () => contractCase.run(harness));
  }
});
