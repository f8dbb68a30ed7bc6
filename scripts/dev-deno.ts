/**
 * `npm run dev:deno`: the system on Deno instead of `wrangler dev`, offline.
 *
 * - `.dev.vars` gets a random `DATASPINE_API_TOKEN` when it has none (git ignores it);
 * - the embedded libSQL file `.dataspine/dataspine.db` is migrated and served over
 *   Hrana/HTTP on 127.0.0.1:8080 (`LIBSQL_PORT`);
 * - the demo feed serves Polygon aggregates on 127.0.0.1:8790 (`DEMO_FEED_PORT`);
 * - the Deno host (`src/deno/main.ts`) serves the app on 127.0.0.1:8788 (`PORT`), with the
 *   cron schedules on `Deno.cron` and `GET /__scheduled?cron=…` to fire one now.
 */
import { existsSync, readFileSync } from "node:fs";
import { startDenoStack } from "../src/node/dev/deno-stack";
import { ensureDevToken } from "../src/node/dev/dev-vars";

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

/** Variables of `.dev.vars` (KEY="value" lines), which `wrangler dev` would also read. */
const devVars = (): Record<string, string> => {
  if (!existsSync(".dev.vars")) return {};
  const vars: Record<string, string> = {};
  for (const match of readFileSync(".dev.vars", "utf8").matchAll(
    /^(\w+)\s*=\s*"?([^"\n]*)"?\s*$/gm,
  )) {
    if (match[1]) vars[match[1]] = match[2] ?? "";
  }
  return vars;
};

const main = async () => {
  const token = ensureDevToken();
  const stack = await startDenoStack({
    libsqlPort: port("LIBSQL_PORT", 8080),
    feedPort: port("DEMO_FEED_PORT", 8790),
    port: port("PORT", 8788),
    vars: { ...devVars(), DATASPINE_API_TOKEN: token, DATASPINE_TEST_SCHEDULED: "1" },
  });
  const url = stack.host.url;
  process.stderr.write(
    [
      "",
      "dataspine is running on Deno:",
      `  host       ${url}`,
      `  libSQL     ${stack.libsqlUrl}`,
      `  feed       ${stack.marketDataBaseUrl}`,
      "",
      "try:",
      `  TOKEN=$(sed -n 's/^DATASPINE_API_TOKEN="\\(.*\\)"/\\1/p' .dev.vars)`,
      `  curl -X POST ${url}/runs -H "Authorization: Bearer $TOKEN" \\`,
      `    -d '{"pipeline":"market_data.ingest_prices","partition":"2025-01-02|demo"}'`,
      `  curl -H "Authorization: Bearer $TOKEN" '${url}/partitions/market_data.ingest_prices/2025-01-02%7Cdemo'`,
      `  curl '${url}/__scheduled?cron=*/15+*+*+*+*'   # fire the cron now`,
      "",
      "(Ctrl-C stops everything)",
      "",
    ].join("\n"),
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  stack.host.child.once("exit", (code) => {
    if (!stopping) {
      process.stderr.write(`the Deno host exited (${code}); stopping\n`);
      void stop();
    }
  });
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
