/**
 * The local stack: a libSQL endpoint over the embedded file, the demo feed (which also
 * receives the Worker's alert webhook and prints each alert), and `wrangler dev` pointed at
 * both, each a supervised process (`supervisor/`). `npm run dev` and the
 * end-to-end tests start the same stack, so what the tests prove is what a developer runs.
 *
 * - The libSQL endpoint and the demo feed are restarted when they crash (with backoff).
 * - `wrangler dev` is restarted when it stops answering `/health` or holds too many open
 *   files (docs/reliability.md); when it exits, everything stops.
 * - wrangler runs offline: no telemetry, no error reports, no `Request.cf` download, no update
 *   check (`OFFLINE_WRANGLER_ENV`).
 */
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase, openDatabase } from "../database";
import { groupFiles } from "./supervisor/proc";
import { type ServiceSpec, type Stopped, Supervisor } from "./supervisor/supervisor";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const CLI = join(ROOT, "bin/dataspine.mjs");

/** wrangler settings that keep `wrangler dev` from calling any host. */
export const OFFLINE_WRANGLER_ENV: Readonly<Record<string, string>> = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  // miniflare would download https://workers.cloudflare.com/cf.json for `request.cf`.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // The banner is where wrangler asks the npm registry for a newer version.
  WRANGLER_HIDE_BANNER: "true",
};

/** Open files in wrangler's process group above which it is restarted. */
export const WRANGLER_MAX_OPEN_FILES = 8_192;

export interface LocalStackOptions {
  /** The embedded database file served over HTTP. Default `.dataspine/dataspine.db`. */
  readonly dbPath?: string;
  /** Use this libSQL URL (Turso, `turso dev`) instead of starting the local endpoint. */
  readonly libsqlUrl?: string;
  readonly libsqlAuthToken?: string;
  /** Use this Polygon-compatible base URL instead of starting the demo feed. */
  readonly marketDataBaseUrl?: string;
  readonly libsqlPort?: number;
  readonly feedPort?: number;
  readonly workerPort?: number;
  /** Overrides `.dev.vars` (tests pass their own token). */
  readonly apiToken?: string;
  /** Where wrangler keeps Durable Object state. Default `.wrangler/state`. */
  readonly persistTo?: string;
  /** Extra Worker variables. */
  readonly vars?: Readonly<Record<string, string>>;
  /** The Worker's alert webhook. Default: the demo feed's receiver, when this stack starts it. */
  readonly alertWebhookUrl?: string;
  /** Where the processes' output goes. Default: inherited. */
  readonly output?: "inherit" | "ignore";
  /** Extra environment of the wrangler process (tests). */
  readonly wranglerEnv?: Readonly<Record<string, string>>;
  /** The `/health` probe of wrangler: interval and failures in a row before a restart. */
  readonly probe?: { readonly intervalMs: number; readonly failures: number };
  /** The supervisor's log lines. Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface LocalStack {
  readonly workerUrl: string;
  readonly libsqlUrl: string;
  readonly marketDataBaseUrl: string;
  readonly supervisor: Supervisor;
  /** Resolves when everything has stopped (a service exited for good, or `stop`). */
  readonly stopped: Promise<Stopped>;
  /** Stops wrangler (and its workerd) and every server this stack started. */
  stop(): Promise<void>;
}

/** True once `url` answers HTTP with one of `statuses` within `timeoutMs`. */
const answers = async (url: string, statuses: ReadonlyArray<number>, timeoutMs = 2_000) => {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return statuses.includes(res.status);
  } catch {
    return false;
  }
};

/** Why wrangler looks wedged, or undefined: no `/health` answer, a 500, too many open files. */
const wranglerProblem = async (workerUrl: string, pgid: number) => {
  const files = groupFiles(pgid).reduce((n, p) => n + p.fds, 0);
  if (files > WRANGLER_MAX_OPEN_FILES) return `${files} open files`;
  // 503 is an answer (the database is down); no answer or a 500 is not.
  return (await answers(`${workerUrl}/health`, [200, 503], 5_000))
    ? undefined
    : "no /health answer";
};

const serverSpec = (
  name: string,
  args: ReadonlyArray<string>,
  readyUrl: string,
  output: ServiceSpec["output"],
): ServiceSpec => ({
  name,
  args: [CLI, ...args],
  cwd: ROOT,
  output,
  onExit: "restart",
  ready: () => answers(readyUrl, [200]),
  readyTimeoutMs: 30_000,
});

/** Starts the stack and resolves once the Worker answers `/health`. */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const output = options.output ?? "inherit";
  const supervisor = new Supervisor(options.log ? { log: options.log } : {});
  let libsqlUrl = options.libsqlUrl;
  if (libsqlUrl === undefined) {
    const dbPath = resolve(options.dbPath ?? join(ROOT, ".dataspine/dataspine.db"));
    const db = await openDatabase({ url: `file:${dbPath}` });
    await migrateDatabase(db);
    db.$client.close();
    const port = options.libsqlPort ?? 8080;
    libsqlUrl = `http://127.0.0.1:${port}`;
    await supervisor.add(
      serverSpec(
        "libsql",
        ["libsql-server", "--port", String(port), "--db", dbPath],
        `${libsqlUrl}/health`,
        output,
      ),
    );
  }
  let marketDataBaseUrl = options.marketDataBaseUrl;
  let alertWebhookUrl = options.alertWebhookUrl;
  if (marketDataBaseUrl === undefined) {
    const port = options.feedPort ?? 8790;
    marketDataBaseUrl = `http://127.0.0.1:${port}`;
    alertWebhookUrl ??= `${marketDataBaseUrl}/alerts`;
    await supervisor.add(
      serverSpec(
        "feed",
        ["demo-feed", "--port", String(port)],
        `${marketDataBaseUrl}/health`,
        output,
      ),
    );
  }
  const workerPort = options.workerPort ?? 8787;
  const workerUrl = `http://127.0.0.1:${workerPort}`;
  const vars: Record<string, string> = {
    LIBSQL_URL: libsqlUrl,
    MARKET_DATA_BASE_URL: marketDataBaseUrl,
    ...(options.libsqlAuthToken ? { LIBSQL_AUTH_TOKEN: options.libsqlAuthToken } : {}),
    ...(options.apiToken ? { DATASPINE_API_TOKEN: options.apiToken } : {}),
    ...(alertWebhookUrl ? { ALERT_WEBHOOK_URL: alertWebhookUrl } : {}),
    ...options.vars,
  };
  const wranglerBin = join(
    dirname(createRequire(import.meta.url).resolve("wrangler/package.json")),
    "bin/wrangler.js",
  );
  const probe = options.probe ?? { intervalMs: 5_000, failures: 3 };
  await supervisor.add({
    name: "wrangler",
    args: [
      wranglerBin,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(workerPort),
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--persist-to",
      options.persistTo ?? join(ROOT, ".wrangler/state"),
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ],
    cwd: ROOT,
    env: { CI: process.env.CI ?? "", ...OFFLINE_WRANGLER_ENV, ...options.wranglerEnv },
    output,
    onExit: "stop",
    ready: () => answers(`${workerUrl}/health`, [200, 503]),
    readyTimeoutMs: 90_000,
    probe: {
      ...probe,
      check: (pid) => wranglerProblem(workerUrl, pid),
    },
  });
  return {
    workerUrl,
    libsqlUrl,
    marketDataBaseUrl,
    supervisor,
    stopped: supervisor.stopped,
    stop: async () => {
      await supervisor.stop();
    },
  };
};
