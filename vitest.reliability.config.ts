import { defineConfig } from "vitest/config";

/**
 * `npm run test:reliability`: the reliability suite (docs/reliability.md) — property-based
 * tests of every source parser, crash safety with 1M rows, a bounded load test of the dev
 * stack through a libSQL outage. Files run one at a time: the load test measures latencies
 * and open files, which other work on the machine would disturb.
 */
export default defineConfig({
  test: {
    name: "reliability",
    include: ["test/reliability/**/*.test.ts"],
    environment: "node",
    fileParallelism: false,
    testTimeout: 900_000,
    hookTimeout: 300_000,
  },
});
