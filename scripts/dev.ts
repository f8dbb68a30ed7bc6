/**
 * `npm run dev`: the whole system on this machine, offline.
 *
 * - `.dev.vars` gets a random `DATASPINE_API_TOKEN` when it has none (git ignores it), unless
 *   the environment sets one;
 * - the embedded libSQL file `.dataspine/dataspine.db` (or `LIBSQL_URL=file:<path>`) is
 *   migrated and served over Hrana/HTTP on 127.0.0.1:8080 (a remote `LIBSQL_URL` +
 *   `LIBSQL_AUTH_TOKEN` are used as given);
 * - the demo feed serves Polygon aggregates on 127.0.0.1:8790 (or `MARKET_DATA_BASE_URL`) and
 *   receives the Worker's alert webhook, printing each alert here (or `ALERT_WEBHOOK_URL`);
 * - `wrangler dev` runs the Worker on 127.0.0.1:8787 with `--test-scheduled`, offline, its
 *   Durable Object state in `.wrangler/state` (or `WRANGLER_PERSIST_TO`).
 *
 * Each runs as a supervised process (`src/node/dev/supervisor/`): a crashed libSQL endpoint or
 * feed is restarted, a wedged wrangler too; when one exits for good, or on Ctrl-C, everything
 * stops. The exit code is 1 when a part failed, 0 on a requested stop.
 */

import { DEV_VARS, ensureDevToken } from "../src/node/dev/dev-vars";
import { startLocalStack } from "../src/node/dev/local-stack";

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const main = async () => {
  const envToken = process.env.DATASPINE_API_TOKEN;
  const token = envToken ?? ensureDevToken();
  const dbUrl = process.env.LIBSQL_URL;
  const stack = await startLocalStack({
    ...(dbUrl === undefined
      ? {}
      : dbUrl.startsWith("file:")
        ? { dbPath: dbUrl.slice("file:".length) }
        : { libsqlUrl: dbUrl }),
    ...(envToken ? { apiToken: envToken } : {}),
    ...(process.env.WRANGLER_PERSIST_TO ? { persistTo: process.env.WRANGLER_PERSIST_TO } : {}),
    ...(process.env.LIBSQL_AUTH_TOKEN ? { libsqlAuthToken: process.env.LIBSQL_AUTH_TOKEN } : {}),
    ...(process.env.MARKET_DATA_BASE_URL
      ? { marketDataBaseUrl: process.env.MARKET_DATA_BASE_URL }
      : {}),
    libsqlPort: port("LIBSQL_PORT", 8080),
    feedPort: port("DEMO_FEED_PORT", 8790),
    workerPort: port("PORT", 8787),
    ...(process.env.ALERT_WEBHOOK_URL ? { alertWebhookUrl: process.env.ALERT_WEBHOOK_URL } : {}),
  });
  process.stderr.write(
    [
      "",
      "dataspine is running:",
      `  worker     ${stack.workerUrl}`,
      `  libSQL     ${stack.libsqlUrl}`,
      `  feed       ${stack.marketDataBaseUrl}`,
      `  status     ${stack.workerUrl}/ (sign in at ${stack.workerUrl}/ui with the token)`,
      "",
      "try:",
      `  TOKEN=$(sed -n 's/^DATASPINE_API_TOKEN="\\(.*\\)"/\\1/p' ${DEV_VARS})`,
      `  curl -X POST ${stack.workerUrl}/runs -H "Authorization: Bearer $TOKEN" \\`,
      `    -d '{"pipeline":"market_data.ingest_prices","partition":"2025-01-02|demo"}'`,
      `  curl '${stack.workerUrl}/partitions?pipeline=market_data.ingest_prices' -H "Authorization: Bearer $TOKEN"`,
      `  curl -X POST ${stack.workerUrl}/runs -H "Authorization: Bearer $TOKEN" \\`,
      `    -d '{"pipeline":"trade_data.ingest_trades","partition":"2025-01-03|CLIENT_A"}'`,
      `  curl ${stack.marketDataBaseUrl}/alerts-received   # the alerts the webhook got`,
      `  curl '${stack.workerUrl}/alerts'                   # their delivery state`,
      `  curl '${stack.workerUrl}/__scheduled?cron=*/15+*+*+*+*'   # fire the cron now`,
      "",
      `(token: ${token.slice(0, 4)}…, in ${DEV_VARS}; Ctrl-C stops everything)`,
      "",
    ].join("\n"),
  );
  const stop = () => {
    void stack.supervisor.stop("interrupted");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  const stopped = await stack.stopped;
  process.exit(stopped.failed ? 1 : 0);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
