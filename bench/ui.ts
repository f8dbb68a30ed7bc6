/**
 * `npm run bench:ui [-- --partitions N] [-- --scopes S] [-- --rounds R] [-- --json]`: the
 * status page's latency with a large manifest.
 *
 * Fills `core_manifest` of a fresh embedded database with N partitions (default 100,000:
 * N / S dates × S scopes, default 40 scopes; every 7th partition with a second, older
 * capture) under `market_data.ingest_prices`, then serves it as `npm run dev` does (the
 * libSQL endpoint over the file, `wrangler dev`) on free ports and requests, one at a time,
 * R rounds (default 200) of: `GET /health`, `GET /` (the public summary), the grid page of
 * the newest 14 dates (14 × S cells), the same grid's live fragment (what the page's
 * refresh fetches), that fragment again with its ETag (304: nothing changed), and the grid
 * of 14 dates in the middle of the range (a keyset cursor).
 * Reports p50 / p99 / max per route and each route's p50 and p99 over `/health`'s in the
 * same run. Twenty warm-up rounds are not counted.
 */
import { parseArgs } from "node:util";
import { migrateDatabase, openDatabase } from "../src/node/database";
import { startLocalStack } from "../src/node/dev/local-stack";
import { fillManifest } from "../test/fixtures/manifest-fill";
import { freePort } from "../test/fixtures/ports";
import { makeTempDb } from "../test/fixtures/temp-db";

const { values } = parseArgs({
  options: {
    partitions: { type: "string", default: "100000" },
    scopes: { type: "string", default: "40" },
    rounds: { type: "string", default: "200" },
    json: { type: "boolean", default: false },
  },
});
const partitions = Number(values.partitions);
const scopes = Number(values.scopes);
const rounds = Number(values.rounds);
const days = Math.ceil(partitions / scopes);
const TOKEN = "bench-token";
const PIPELINE = "market_data.ingest_prices";
const FIRST_DATE = "2000-01-03";

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

const main = async () => {
  const temp = await makeTempDb();
  const log = (line: string) => {
    if (!values.json) process.stdout.write(`${line}\n`);
  };
  try {
    const db = await openDatabase({ url: temp.url });
    await migrateDatabase(db);
    const fillStart = performance.now();
    const rows = await fillManifest(db.$client, {
      domain: "market_data",
      stage: "INGEST",
      days,
      scopes,
      firstDate: FIRST_DATE,
    });
    const fillMs = performance.now() - fillStart;
    db.$client.close();
    log(
      `filled ${rows.toLocaleString("en-US")} manifest rows (${partitions.toLocaleString("en-US")} partitions) in ${(fillMs / 1000).toFixed(1)} s`,
    );

    const stack = await startLocalStack({
      dbPath: temp.path,
      persistTo: `${temp.dir}/wrangler-state`,
      libsqlPort: await freePort(),
      feedPort: await freePort(),
      workerPort: await freePort(),
      apiToken: TOKEN,
      vars: { LOG_LEVEL: "WARN" },
      output: "ignore",
    });
    try {
      const middle = addDays(FIRST_DATE, Math.floor(days / 2));
      const auth = { cookie: `dataspine_token=${TOKEN}` };
      const fragmentHeaders = { ...auth, "x-dataspine-fragment": "1" };
      const gridPath = `/ui/pipelines/${PIPELINE}`;
      // The refresh script sends the ETag of the fragment it holds.
      const first = await fetch(`${stack.workerUrl}${gridPath}`, { headers: fragmentHeaders });
      await first.text();
      const etag = first.headers.get("etag") ?? "";
      const routes: ReadonlyArray<{
        name: string;
        path: string;
        headers: Record<string, string>;
        status?: number;
      }> = [
        { name: "GET /health", path: "/health", headers: {} },
        { name: "GET / (summary)", path: "/", headers: {} },
        { name: "grid page, newest 14 dates", path: gridPath, headers: auth },
        { name: "grid fragment (refresh)", path: gridPath, headers: fragmentHeaders },
        {
          name: "grid fragment, unchanged (304)",
          path: gridPath,
          headers: { ...fragmentHeaders, "if-none-match": etag },
          status: 304,
        },
        {
          name: `grid page, before=${middle}`,
          path: `${gridPath}?before=${middle}`,
          headers: auth,
        },
      ];
      const times = routes.map(() => [] as Array<number>);
      const bytes = routes.map(() => 0);
      for (let round = -20; round < rounds; round++) {
        for (const [i, route] of routes.entries()) {
          const start = performance.now();
          const res = await fetch(`${stack.workerUrl}${route.path}`, { headers: route.headers });
          const body = await res.text();
          const ms = performance.now() - start;
          if (res.status !== (route.status ?? 200))
            throw new Error(`${route.path}: HTTP ${res.status} ${body}`);
          if (round >= 0) times[i]?.push(ms);
          bytes[i] = body.length;
        }
      }
      const stats = routes.map((route, i) => {
        const sorted = [...(times[i] ?? [])].sort((a, b) => a - b);
        return {
          route: route.name,
          p50_ms: quantile(sorted, 0.5),
          p99_ms: quantile(sorted, 0.99),
          max_ms: sorted.at(-1) ?? Number.NaN,
          bytes: bytes[i] ?? 0,
        };
      });
      const health = stats[0];
      const result = {
        partitions,
        manifest_rows: rows,
        scopes,
        dates: days,
        rounds,
        routes: stats.map((s) => ({
          ...s,
          p50_vs_health: health ? s.p50_ms / health.p50_ms : Number.NaN,
          p99_vs_health: health ? s.p99_ms / health.p99_ms : Number.NaN,
        })),
      };
      if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else {
        log(`${rounds} rounds, one request at a time, after 20 warm-up rounds\n`);
        log(
          `${"route".padEnd(34)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"max ms".padStart(9)}${"p50/health".padStart(12)}${"p99/health".padStart(12)}${"bytes".padStart(9)}`,
        );
        for (const r of result.routes) {
          log(
            `${r.route.padEnd(34)}${r.p50_ms.toFixed(1).padStart(9)}${r.p99_ms.toFixed(1).padStart(9)}${r.max_ms.toFixed(1).padStart(9)}${`${r.p50_vs_health.toFixed(2)}×`.padStart(12)}${`${r.p99_vs_health.toFixed(2)}×`.padStart(12)}${String(r.bytes).padStart(9)}`,
          );
        }
      }
    } finally {
      await stack.stop();
    }
  } finally {
    await temp.cleanup();
  }
};

await main();
