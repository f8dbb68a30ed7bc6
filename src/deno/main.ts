/**
 * The Deno host: the Worker's Hono app and Effect programs served by `Deno.serve`, its cron
 * schedules on `Deno.cron`, its actors in this process (`src/host/`) with their state and
 * alarms in libSQL. One host per database: single-flight holds within a process.
 *
 * Environment: the Worker's variables (`LIBSQL_URL` required, `DATASPINE_API_TOKEN`,
 * `MARKET_DATA_BASE_URL`, …), plus `PORT` (default 8788), `HOSTNAME` (default 127.0.0.1),
 * `HOST_POLL_INTERVAL_MS` (default 1000), `DATASPINE_CRON=off` to register no cron, and
 * `DATASPINE_TEST_SCHEDULED=1` to serve `GET /__scheduled?cron=…` (tests, local runs).
 */
import { readAppConfig } from "../core/config/app-config";
import { startHostServer } from "../host/serve";
import { CRON_SCHEDULES } from "../worker/cron-schedules";

const vars = Deno.env.toObject();
const fail = (message: string): never => {
  console.error(JSON.stringify({ level: "ERROR", message }));
  return Deno.exit(2);
};
if (!vars.LIBSQL_URL) fail("LIBSQL_URL is required");
const config = readAppConfig(vars);
if (config._tag === "Left") fail(config.left.message);

const server = await startHostServer(vars, {
  pollIntervalMs: Number(vars.HOST_POLL_INTERVAL_MS ?? "1000") || 1000,
  testScheduled: vars.DATASPINE_TEST_SCHEDULED === "1",
});

if (vars.DATASPINE_CRON !== "off") {
  for (const { name, cron } of CRON_SCHEDULES) {
    Deno.cron(name, cron, async () => {
      await server.cron(cron);
    });
  }
}

const http = Deno.serve(
  {
    hostname: vars.HOSTNAME ?? "127.0.0.1",
    port: Number(vars.PORT ?? "8788"),
    onListen: ({ hostname, port }) =>
      console.log(
        JSON.stringify({
          level: "INFO",
          message: "dataspine on Deno",
          url: `http://${hostname}:${port}`,
        }),
      ),
  },
  (request) => server.fetch(request),
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await http.shutdown();
  await server.stop();
  Deno.exit(0);
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => void shutdown());
}
