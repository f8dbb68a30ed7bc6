/**
 * Cold start of a built Worker in workerd (through Miniflare): a fresh workerd process loads
 * the script, then answers one request. The same is timed for a one-line Worker in the same
 * run, alternating, so the difference is what the bundle itself costs (compiling and
 * evaluating its modules, building the app, first request) and workerd's own start cancels.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { freePort } from "../test/fixtures/ports";

/** Milliseconds from `new Miniflare` to the first response, per worker label. */
export type StartupTimes = Record<string, ReadonlyArray<number>>;

/** The label of the one-line Worker every bundle is compared with. */
export const TRIVIAL = "one-line Worker";

const DURABLE_OBJECTS = {
  PARTITION_ACTOR: "PartitionActor",
  BACKFILL_COORDINATOR: "BackfillCoordinator",
  REPLAY_COORDINATOR: "ReplayCoordinator",
  ALERT_DISPATCHER: "AlertDispatcher",
};

type Options = ConstructorParameters<typeof Miniflare>[0];

const timeFirstResponse = async (options: Options, path: string): Promise<number> => {
  const start = performance.now();
  const mf = new Miniflare(options);
  try {
    const response = await mf.dispatchFetch(`http://localhost${path}`);
    await response.arrayBuffer();
    return performance.now() - start;
  } finally {
    await mf.dispose();
  }
};

/**
 * Times `rounds` cold starts of each built Worker (`outdir/index.js`) answering `GET /health`
 * (its libSQL URL is a closed port, so the probe fails fast: the runtime is built, no database
 * is timed) and of a one-line Worker answering `GET /`, taking turns so that load on the
 * machine falls on all of them alike.
 */
export const measureStartup = async (
  workers: ReadonlyArray<{ readonly label: string; readonly outdir: string }>,
  scratch: string,
  compatibilityDate: string,
  rounds: number,
): Promise<StartupTimes> => {
  writeFileSync(
    join(scratch, "trivial.mjs"),
    'export default { fetch: () => new Response("ok") };\n',
  );
  const closedPort = await freePort();
  const runs: Array<{ label: string; options: Options; path: string }> = [
    {
      label: TRIVIAL,
      options: {
        modules: true,
        scriptPath: join(scratch, "trivial.mjs"),
        modulesRoot: scratch,
        compatibilityDate,
      },
      path: "/",
    },
    ...workers.map(({ label, outdir }) => ({
      label,
      options: {
        // The modules listed, so that Miniflare does not parse the script to find them.
        modules: readdirSync(outdir)
          .filter((name) => name.endsWith(".js") || name.endsWith(".sql"))
          .map((name) => ({
            type: name.endsWith(".js") ? ("ESModule" as const) : ("Text" as const),
            path: join(outdir, name),
            contents: readFileSync(join(outdir, name), "utf8"),
          }))
          .sort((a, b) => Number(b.type === "ESModule") - Number(a.type === "ESModule")),
        modulesRoot: outdir,
        compatibilityDate,
        durableObjects: DURABLE_OBJECTS,
        bindings: { LIBSQL_URL: `http://127.0.0.1:${closedPort}`, LOG_LEVEL: "ERROR" },
      },
      path: "/health",
    })),
  ];
  const times: Record<string, Array<number>> = {};
  // One unrecorded round warms the file cache and Node's own code paths.
  for (const run of runs) await timeFirstResponse(run.options, run.path);
  for (let i = 0; i < rounds; i++) {
    for (const run of runs) {
      const ms = await timeFirstResponse(run.options, run.path);
      times[run.label] = [...(times[run.label] ?? []), ms];
    }
  }
  return times;
};

/** The median of some values. */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
