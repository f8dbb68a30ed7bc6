/**
 * The actor contract (`test/fixtures/actor-contract.ts`) against the in-process host that
 * Deno serves, here on Node over a real libSQL file and the demo feed on a free port.
 */
import { LogLevel, ManagedRuntime } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoFeedServer, startDemoFeed } from "../../src/node/dev/demo-feed-server";
import { nodePipelineLayer } from "../../src/node/runtime";
import { actorContract } from "../fixtures/actor-contract";
import { type HostHarness, makeHostHarness } from "../fixtures/host-harness";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

let db: TempDb;
let feed: DemoFeedServer;
let host: HostHarness;

beforeAll(async () => {
  db = await makeTempDb();
  feed = await startDemoFeed({ port: 0 });
  host = await makeHostHarness({
    feedUrl: feed.url,
    makeRuntime: () =>
      ManagedRuntime.make(
        nodePipelineLayer({
          db: { url: db.url },
          vars: { MARKET_DATA_BASE_URL: feed.url, RETRY_BASE_DELAY_MS: "5" },
          logLevel: LogLevel.None,
        }),
      ),
  });
});

afterAll(async () => {
  await host?.close();
  await feed?.close();
  await db?.cleanup();
});

describe("actor contract: the in-process host over a libSQL file", () => {
  for (const contractCase of actorContract(expect)) {
    it(contractCase.name, () => contractCase.run(host.harness));
  }
});
