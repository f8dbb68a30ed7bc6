/**
 * The local stack: a libSQL endpoint over the embedded file, the demo feed (which also
 * receives the Worker's alert webhook), and `wrangler dev` pointed at both. `npm run dev` and the end-to-end tests start the same
 * stack, so what the tests prove is what a developer runs.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase, openDatabase } from "./database";
import { startDemoFeed } from "./demo-feed-server";
import { startLibsqlServer } from "./libsql-server/server";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

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
  /** Called with each alert line the demo feed's receiver gets. */
  readonly onAlert?: (text: string) => void;
  /** Where wrangler's output goes. Default: inherited. */
  readonly wranglerOutput?: "inherit" | "ignore" | "pipe";
}

export interface LocalStack {
  readonly workerUrl: string;
  readonly libsqlUrl: string;
  readonly marketDataBaseUrl: string;
  readonly wrangler: ChildProcess;
  /** Stops wrangler (and its workerd) and every server this stack started. */
  stop(): Promise<void>;
}

const waitForHealth = async (url: string, child: ChildProcess, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.status === 200 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`wrangler dev did not answer ${url}/health within ${timeoutMs} ms`);
};

const stopChild = (child: ChildProcess) =>
  new Promise<void>((resolveStop) => {
    if (child.exitCode !== null || child.pid === undefined) return resolveStop();
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    }, 5_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolveStop();
    });
    try {
      // wrangler runs workerd as a child: signal the whole process group.
      process.kill(-(child.pid as number), "SIGTERM");
    } catch {
      clearTimeout(timer);
      resolveStop();
    }
  });

/** Starts the stack and resolves once the Worker answers `/health`. */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  const closers: Array<() => Promise<void>> = [];
  try {
    let libsqlUrl: string;
    if (options.libsqlUrl) libsqlUrl = options.libsqlUrl;
    else {
      const dbPath = resolve(options.dbPath ?? join(ROOT, ".dataspine/dataspine.db"));
      const db = await openDatabase({ url: `file:${dbPath}` });
      await migrateDatabase(db);
      db.$client.close();
      const server = await startLibsqlServer({ path: dbPath, port: options.libsqlPort ?? 8080 });
      closers.push(() => server.close());
      libsqlUrl = server.url;
    }
    let marketDataBaseUrl: string;
    let alertWebhookUrl = options.alertWebhookUrl;
    if (options.marketDataBaseUrl) marketDataBaseUrl = options.marketDataBaseUrl;
    else {
      const feed = await startDemoFeed({
        port: options.feedPort ?? 8790,
        ...(options.onAlert ? { onAlert: options.onAlert } : {}),
      });
      closers.push(() => feed.close());
      marketDataBaseUrl = feed.url;
      alertWebhookUrl ??= `${feed.url}/alerts`;
    }
    const workerPort = options.workerPort ?? 8787;
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
    const args = [
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
    ];
    // process.execPath is the Node that runs us: Node 22 from the `node` package under npm.
    const wrangler = spawn(process.execPath, args, {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", options.wranglerOutput ?? "inherit", options.wranglerOutput ?? "inherit"],
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "" },
    });
    closers.unshift(() => stopChild(wrangler));
    const workerUrl = `http://127.0.0.1:${workerPort}`;
    await waitForHealth(workerUrl, wrangler, 90_000);
    return {
      workerUrl,
      libsqlUrl,
      marketDataBaseUrl,
      wrangler,
      stop: async () => {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
};
