/**
 * A bounded load test of the dev stack (`wrangler dev` + the demo feed, supervised as
 * `npm run dev` runs them) against a libSQL endpoint the test kills for 20 s in the middle:
 * GET /health, /partitions and one partition's status at concurrency 1, then 20; 10 s before
 * the outage, 20 s without the database, 20 s after it is back. Asserts that the Worker keeps
 * answering (503 without the database, never a hang), answers 200 again within seconds of the
 * database's return, and that wrangler's processes hold no more open files afterwards than
 * before. Percentiles and file counts go to stdout (docs/reliability.md keeps a run of them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "../../src/node/dev/local-stack";
import { groupFiles } from "../../src/node/dev/supervisor/proc";
import { makeMigratedDb } from "../fixtures/audit-db";
import { exitOf, startEndpoint } from "../fixtures/crash";
import { type PathStats, phaseStats, type Sample, startLoad } from "../fixtures/load";
import { freePort } from "../fixtures/ports";
import type { TempDb } from "../fixtures/temp-db";

const TOKEN = "load-token";
const PIPELINE = "market_data.ingest_prices";
const PARTITION = "2025-01-02|demo";
const PATHS = [
  "/health",
  `/partitions?pipeline=${PIPELINE}`,
  `/partitions/${PIPELINE}/${encodeURIComponent(PARTITION)}`,
];
const LABELS: Readonly<Record<string, string>> = {
  [PATHS[0] as string]: "/health",
  [PATHS[1] as string]: "/partitions",
  [PATHS[2] as string]: "/partitions/:p/:k",
};
// Every GET carries the token: reads may require it.
const HEADERS = { authorization: `Bearer ${TOKEN}` };
const PHASE_MS = { before: 10_000, outage: 20_000, after: 20_000 } as const;
/** After the database is back, the Worker must answer `/health` 200 within this. */
const RECOVERY_LIMIT_MS = 10_000;
/** Open files above the baseline still counted as "back at the baseline" (pooled connections). */
const FD_MARGIN = 20;
/** How long the open files may take to settle after the load stops. */
const SETTLE_LIMIT_MS = 120_000;
/** The writer's pause between partition runs (a few runs a second, as a backfill does). */
const WRITER_PAUSE_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TempDb;
let endpoint: Awaited<ReturnType<typeof startEndpoint>>;
let stack: LocalStack;

beforeAll(async () => {
  db = await makeMigratedDb();
  endpoint = await startEndpoint(db.path);
  stack = await startLocalStack({
    libsqlUrl: endpoint.url,
    feedPort: await freePort(),
    workerPort: await freePort(),
    persistTo: `${db.dir}/wrangler-state`,
    apiToken: TOKEN,
    output: process.env.LOAD_OUTPUT === "inherit" ? "inherit" : "ignore",
    // Probe rarely: the supervisor must not restart wrangler under the test's own load.
    probe: { intervalMs: 60_000, failures: 3 },
    log: () => undefined,
  });
  const run = await fetch(`${stack.workerUrl}/runs`, {
    method: "POST",
    headers: { ...HEADERS, "content-type": "application/json" },
    body: JSON.stringify({ pipeline: PIPELINE, partition: PARTITION }),
  });
  expect(run.status).toBe(200);
});

afterAll(async () => {
  await stack?.stop();
  endpoint?.child.kill("SIGKILL");
  if (endpoint) await exitOf(endpoint.child);
  await db?.cleanup();
});

/** Open files and CLOSE-WAIT sockets of wrangler's workerd processes. */
const workerdFiles = () => {
  const pgid = stack.supervisor.pid("wrangler");
  const files = pgid === undefined ? [] : groupFiles(pgid).filter((p) => p.name === "workerd");
  return {
    fds: files.reduce((n, p) => n + p.fds, 0),
    closeWait: files.reduce((n, p) => n + p.closeWait, 0),
    perProcess: files.map((p) => p.fds),
  };
};

const table = (title: string, phases: Record<string, Record<string, PathStats>>) => {
  const lines = [`[load] ${title}`];
  for (const [phase, byPath] of Object.entries(phases)) {
    for (const [path, s] of Object.entries(byPath)) {
      lines.push(
        `  ${phase.padEnd(7)} ${path.padEnd(18)} n=${String(s.requests).padStart(5)} p50=${s.p50}ms p95=${s.p95}ms p99=${s.p99}ms ${JSON.stringify(s.statuses)}`,
      );
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
};

const tallyOf = (statuses: ReadonlyArray<number>) => {
  const tally: Record<string, number> = {};
  for (const status of statuses) tally[status] = (tally[status] ?? 0) + 1;
  return tally;
};

/** First `/health` 200 at or after `from` (ms since `from`), if any. */
const firstHealthy = (samples: ReadonlyArray<Sample>, from: number) => {
  const first = samples
    .filter((s) => s.path === PATHS[0] && s.status === 200 && s.at + s.ms >= from)
    .sort((a, b) => a.at + a.ms - (b.at + b.ms))[0];
  return first === undefined ? undefined : first.at + first.ms - from;
};

/**
 * Partition runs one after another (each writes through its actor to libSQL) for as long as
 * the load lasts: the writes in flight next to the reads are what once wedged the Worker.
 */
const startWriter = (firstDay: string) => {
  const statuses: Array<number> = [];
  const problems: Array<string> = [];
  let stopping = false;
  const loop = (async () => {
    for (let day = Date.parse(firstDay); !stopping; day += 86_400_000) {
      const partition = `${new Date(day).toISOString().slice(0, 10)}|demo`;
      const started = Date.now();
      try {
        const res = await fetch(`${stack.workerUrl}/runs`, {
          method: "POST",
          headers: { ...HEADERS, "content-type": "application/json" },
          body: JSON.stringify({ pipeline: PIPELINE, partition }),
          signal: AbortSignal.timeout(60_000),
        });
        const body = await res.text();
        statuses.push(res.status);
        if (res.status !== 200 && res.status !== 202)
          problems.push(`${partition} ${res.status} ${body.slice(0, 300)}`);
      } catch (error) {
        statuses.push(0);
        problems.push(`${partition} started ${new Date(started).toISOString()}: ${String(error)}`);
      }
      await sleep(WRITER_PAUSE_MS);
    }
  })();
  return {
    statuses,
    problems,
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
};

/** One cycle: load at `concurrency` before, during and after a 20 s libSQL outage. */
const cycle = async (concurrency: number, firstDay: string) => {
  const writer = startWriter(firstDay);
  const load = startLoad({ baseUrl: stack.workerUrl, paths: PATHS, concurrency, headers: HEADERS });
  const t0 = Date.now();
  await sleep(PHASE_MS.before);
  // Samples from the kill until the endpoint is gone belong to no phase either.
  const killing = Date.now();
  endpoint.child.kill("SIGKILL");
  await exitOf(endpoint.child);
  const down = Date.now();
  let peak = workerdFiles();
  for (let t = 0; t < PHASE_MS.outage; t += 2_000) {
    await sleep(2_000);
    const now = workerdFiles();
    if (now.fds > peak.fds) peak = now;
  }
  // Samples from the restart until the endpoint answers belong to no phase.
  const restarting = Date.now();
  endpoint = await startEndpoint(db.path, endpoint.port);
  const back = Date.now();
  await sleep(PHASE_MS.after);
  const end = Date.now();
  await load.stop();
  await writer.stop();
  const label = (path: string) => LABELS[path] ?? path;
  const phases = {
    before: phaseStats(load.samples, t0, killing, label),
    outage: phaseStats(load.samples, down, restarting, label),
    after: phaseStats(load.samples, back, end, label),
  };
  process.stdout.write(
    `[load] outage from ${new Date(down).toISOString()} to ${new Date(back).toISOString()}; run problems: ${writer.problems.join(" | ") || "none"}\n`,
  );
  return { phases, samples: load.samples, back, peak, killing, runs: writer.statuses };
};

describe("load through a libSQL outage", () => {
  it("answers through the outage, recovers within seconds, and leaks no open files", async () => {
    // Warm-up, then the baseline: the open files of an idle stack that has served load.
    const warm = startLoad({
      baseUrl: stack.workerUrl,
      paths: PATHS,
      concurrency: 20,
      headers: HEADERS,
    });
    await sleep(5_000);
    await warm.stop();
    await sleep(10_000);
    const baseline = workerdFiles();

    const figures: Array<string> = [];
    for (const [concurrency, firstDay] of [
      [1, "2024-01-01"],
      [20, "2023-01-01"],
    ] as const) {
      const { phases, samples, back, peak, killing, runs } = await cycle(concurrency, firstDay);
      table(`concurrency ${concurrency}`, phases);
      const t0 = samples[0]?.at ?? 0;
      const details = new Set(
        samples
          .filter((s) => s.detail && s.at + s.ms < killing)
          .map((s) => `+${s.at - t0} ms ${s.path}: ${s.detail}`),
      );
      if (details.size > 0)
        process.stdout.write(
          `[load] answers other than 200 before the outage: ${[...details].join(" | ")}\n`,
        );
      const recovered = firstHealthy(samples, back);
      figures.push(
        `concurrency ${concurrency}: /health 200 again ${recovered === undefined ? "never" : Math.round(recovered)} ms after the database was back; workerd open files peak during the outage ${peak.fds} (CLOSE-WAIT ${peak.closeWait})`,
      );
      // Runs answer (200 complete, 202 retrying while the database is away), never 500.
      figures.push(
        `concurrency ${concurrency}: partition runs alongside ${JSON.stringify(tallyOf(runs))}`,
      );
      expect(runs.filter((status) => status !== 200 && status !== 202)).toEqual([]);
      // Before: everything answers 200.
      for (const stats of Object.values(phases.before)) {
        expect(stats.statuses["200"] ?? 0).toBe(stats.requests);
      }
      // During: answered, not hung — /health and /partitions 503, a partition's status 200.
      expect(Object.keys(phases.outage["/health"]?.statuses ?? {})).toEqual(["503"]);
      expect(Object.keys(phases.outage["/partitions"]?.statuses ?? {})).toEqual(["503"]);
      expect(phases.outage["/partitions/:p/:k"]?.statuses["200"]).toBe(
        phases.outage["/partitions/:p/:k"]?.requests,
      );
      // After: 200 again within seconds, and from then on.
      expect(recovered).toBeDefined();
      expect(recovered as number).toBeLessThan(RECOVERY_LIMIT_MS);
      const settled = samples.filter((s) => s.at >= back + (recovered as number) + 1_000);
      expect(settled.length).toBeGreaterThan(0);
      expect(settled.filter((s) => s.status !== 200)).toEqual([]);
    }

    // Runs that failed during the outages retry on their actors' alarms for a while after the
    // load stops; once those settle the open files must be back at the baseline.
    const settleFrom = Date.now();
    let after = workerdFiles();
    while (
      (after.fds > baseline.fds + FD_MARGIN || after.closeWait > baseline.closeWait) &&
      Date.now() - settleFrom < SETTLE_LIMIT_MS
    ) {
      await sleep(2_000);
      after = workerdFiles();
    }
    figures.push(
      `open files back within ${Math.round((Date.now() - settleFrom) / 1000)} s of the load's end`,
    );
    figures.push(
      `workerd open files: baseline ${baseline.fds} ${JSON.stringify(baseline.perProcess)} (CLOSE-WAIT ${baseline.closeWait}), after both outages ${after.fds} ${JSON.stringify(after.perProcess)} (CLOSE-WAIT ${after.closeWait})`,
    );
    process.stdout.write(`[load] ${figures.join("\n[load] ")}\n`);
    expect(after.closeWait).toBeLessThanOrEqual(baseline.closeWait);
    expect(after.fds).toBeLessThanOrEqual(baseline.fds + FD_MARGIN);
  });
});
