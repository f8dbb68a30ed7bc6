import { fileURLToPath } from "node:url";
import { defineWorkersProject } from "@cloudflare/vitest-pool-workers/config";
import { freePort } from "./test/fixtures/ports";

/**
 * Worker and Durable Object tests inside workerd. The global setup starts a real libSQL
 * endpoint (Hrana over HTTP) and the demo feed (also the alert webhook's receiver) on the
 * ports of the bindings chosen here, and a second endpoint over its own database
 * (`COUNTED_LIBSQL_URL`) whose request counters only the round-trip tests move.
 */
export default defineWorkersProject(async () => {
  const libsqlPort = await freePort();
  const feedPort = await freePort();
  const countedPort = await freePort();
  return {
    test: {
      name: "workers",
      include: ["test/workers/**/*.test.ts"],
      globalSetup: [fileURLToPath(new URL("./test/workers/global-setup.ts", import.meta.url))],
      testTimeout: 30_000,
      poolOptions: {
        workers: {
          singleWorker: true,
          // SQLite-backed Durable Objects do not support isolated storage; tests use distinct partitions.
          isolatedStorage: false,
          wrangler: { configPath: fileURLToPath(new URL("./wrangler.toml", import.meta.url)) },
          miniflare: {
            bindings: {
              LIBSQL_URL: `http://127.0.0.1:${libsqlPort}`,
              COUNTED_LIBSQL_URL: `http://127.0.0.1:${countedPort}`,
              MARKET_DATA_BASE_URL: `http://127.0.0.1:${feedPort}`,
              DATASPINE_API_TOKEN: "test-token",
              DATASPINE_READ_TOKEN: "read-token",
              RETRY_BASE_DELAY_MS: "5",
              LOG_LEVEL: "WARN",
              // Alerts go to the demo feed's receiver (`POST /alerts`); log lines stay off.
              ALERT_WEBHOOK_URL: `http://127.0.0.1:${feedPort}/alerts`,
              ALERT_LOG_MIN_SEVERITY: "OFF",
            },
          },
        },
      },
    },
  };
});
