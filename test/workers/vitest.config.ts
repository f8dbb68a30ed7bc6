import { fileURLToPath } from "node:url";
import { defineWorkersProject } from "@cloudflare/vitest-pool-workers/config";
import { freePort } from "../fixtures/ports";

/**
 * Worker and Durable Object tests inside workerd. The global setup starts a real libSQL
 * endpoint (Hrana over HTTP) and the demo feed on the ports chosen here.
 */
export default defineWorkersProject(async () => {
  process.env.DATASPINE_TEST_LIBSQL_PORT ??= String(await freePort());
  process.env.DATASPINE_TEST_FEED_PORT ??= String(await freePort());
  return {
    test: {
      name: "workers",
      include: ["test/workers/**/*.test.ts"],
      globalSetup: [fileURLToPath(new URL("./global-setup.ts", import.meta.url))],
      testTimeout: 30_000,
      poolOptions: {
        workers: {
          singleWorker: true,
          isolatedStorage: true,
          wrangler: { configPath: fileURLToPath(new URL("../../wrangler.toml", import.meta.url)) },
          miniflare: {
            bindings: {
              LIBSQL_URL: `http://127.0.0.1:${process.env.DATASPINE_TEST_LIBSQL_PORT}`,
              MARKET_DATA_BASE_URL: `http://127.0.0.1:${process.env.DATASPINE_TEST_FEED_PORT}`,
              DATASPINE_API_TOKEN: "test-token",
              RETRY_BASE_DELAY_MS: "5",
              LOG_LEVEL: "WARN",
            },
          },
        },
      },
    },
  };
});
