/**
 * The actor contract (`test/fixtures/actor-contract.ts`) against the in-process host inside
 * Deno, over the libSQL endpoint and demo feed whose URLs `test/deno/smoke.test.ts` passes in
 * (`LIBSQL_URL`, `MARKET_DATA_BASE_URL`). Run by `deno test`, with vitest's matchers
 * (`@vitest/expect` on chai, from node_modules).
 */
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from "@vitest/expect";
import * as chai from "chai";
import { ManagedRuntime } from "effect";
import { workerLayer } from "../../src/worker/runtime";
import { actorContract, type ExpectLike } from "../fixtures/actor-contract";
import { makeHostHarness } from "../fixtures/host-harness";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);
const expect = chai.expect as unknown as ExpectLike;

const required = (name: string): string => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const vars = {
  LIBSQL_URL: required("LIBSQL_URL"),
  MARKET_DATA_BASE_URL: required("MARKET_DATA_BASE_URL"),
  RETRY_BASE_DELAY_MS: "5",
  LOG_LEVEL: "OFF",
};
const host = await makeHostHarness({
  feedUrl: vars.MARKET_DATA_BASE_URL,
  makeRuntime: () => ManagedRuntime.make(workerLayer(vars)),
});

// The libSQL client and Effect's runtime keep fetches and timers between cases.
const options = { sanitizeOps: false, sanitizeResources: false } as const;
for (const contractCase of actorContract(expect)) {
  Deno.test({ ...options, name: contractCase.name, fn: () => contractCase.run(host.harness) });
}
Deno.test({ ...options, name: "(closes the host)", fn: () => host.close() });
