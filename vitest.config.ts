import { defineConfig } from "vitest/config";

/**
 * The test projects:
 * - `node`: pure logic, the pipeline against a temp libSQL file, the libSQL endpoint.
 * - `workers`: the Worker and its Durable Objects inside workerd (vitest-pool-workers).
 * - `e2e`: real processes (libSQL endpoint, demo feed, `wrangler dev`) over real HTTP.
 * - `browser`: the status page in headless Chromium (npm's `@sparticuz/chromium`) against
 *   the same real processes.
 * - `deno`: the Deno host as a real process over HTTP, and the actor contract inside Deno.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/node/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      "./vitest.workers.config.ts",
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "browser",
          include: ["test/browser/**/*.test.ts"],
          environment: "node",
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: "deno",
          include: ["test/deno/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
