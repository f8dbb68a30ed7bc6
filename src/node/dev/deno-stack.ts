/**
 * The Deno stack: a libSQL endpoint over the embedded file, the demo feed, and the Deno host
 * (`src/deno/main.ts`, Deno from the `deno` npm package) pointed at both. `npm run dev:deno`
 * and the Deno smoke test start the same stack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { migrateDatabase, openDatabase } from "../database";
import { startDemoFeed } from "./demo-feed-server";
import { startLibsqlServer } from "./libsql-server/server";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The Deno executable the `deno` npm package installed for this platform. */
export const denoExecutable = (): string =>
  (createRequire(import.meta.url)("deno/install_api.cjs") as { runInstall(): string }).runInstall();

/** Permissions the host needs: the network (HTTP server, libSQL, feeds) and its environment. */
export const DENO_RUN_ARGS = ["run", "--allow-net", "--allow-env", "src/deno/main.ts"];

export interface DenoHostOptions {
  readonly port: number;
  /** The host's environment: `LIBSQL_URL` and the Worker's other variables. */
  readonly vars: Readonly<Record<string, string>>;
  readonly output?: "inherit" | "ignore" | "pipe";
}

export interface DenoHost {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGTERM (a clean shutdown), or SIGKILL to stop it as a crash would. */
  stop(signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
}

const waitForHealth = async (url: string, child: ChildProcess, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the Deno host exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Deno host did not answer ${url}/health within ${timeoutMs} ms`);
};

const stopChild = (child: ChildProcess, signal: "SIGTERM" | "SIGKILL") =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      done();
    });
    child.kill(signal);
  });

/** Starts the Deno host and resolves once it answers `/health`. */
export const startDenoHost = async (options: DenoHostOptions): Promise<DenoHost> => {
  const child = spawn(denoExecutable(), DENO_RUN_ARGS, {
    cwd: ROOT,
    stdio: ["ignore", options.output ?? "inherit", options.output ?? "inherit"],
    env: {
      ...process.env,
      DENO_NO_UPDATE_CHECK: "1",
      NO_COLOR: "1",
      PORT: String(options.port),
      ...options.vars,
    },
  });
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHealth(url, child, 60_000);
  } catch (error) {
    await stopChild(child, "SIGKILL");
    throw error;
  }
  return { url, child, stop: (signal = "SIGTERM") => stopChild(child, signal) };
};

export interface DenoStackOptions {
  /** The embedded database file served over HTTP. Default `.dataspine/dataspine.db`. */
  readonly dbPath?: string;
  readonly libsqlPort?: number;
  readonly feedPort?: number;
  readonly port?: number;
  /** Extra variables for the host (`DATASPINE_API_TOKEN`, `ALARM_BASE_DELAY_MS`, …). */
  readonly vars?: Readonly<Record<string, string>>;
  readonly output?: "inherit" | "ignore" | "pipe";
}

export interface DenoStack {
  readonly libsqlUrl: string;
  readonly marketDataBaseUrl: string;
  /** The host's environment (without `PORT`), to start another host over the same backends. */
  readonly vars: Readonly<Record<string, string>>;
  readonly host: DenoHost;
  /** Stops the host and every server this stack started. */
  stop(): Promise<void>;
}

/** Migrates the file, starts the libSQL endpoint and the demo feed, then the Deno host. */
export const startDenoStack = async (options: DenoStackOptions = {}): Promise<DenoStack> => {
  const closers: Array<() => Promise<void>> = [];
  try {
    const dbPath = resolve(options.dbPath ?? join(ROOT, ".dataspine/dataspine.db"));
    const db = await openDatabase({ url: `file:${dbPath}` });
    await migrateDatabase(db);
    db.$client.close();
    const libsql = await startLibsqlServer({ path: dbPath, port: options.libsqlPort ?? 8080 });
    closers.push(() => libsql.close());
    const feed = await startDemoFeed({ port: options.feedPort ?? 8790 });
    closers.push(() => feed.close());
    const vars = {
      LIBSQL_URL: libsql.url,
      MARKET_DATA_BASE_URL: feed.url,
      // Alerts go to the demo feed's receiver (`GET /alerts-received`), as in `npm run dev`.
      ALERT_WEBHOOK_URL: `${feed.url}/alerts`,
      ...options.vars,
    };
    const host = await startDenoHost({
      port: options.port ?? 8788,
      vars,
      ...(options.output ? { output: options.output } : {}),
    });
    closers.unshift(() => host.stop());
    return {
      libsqlUrl: libsql.url,
      marketDataBaseUrl: feed.url,
      vars,
      host,
      stop: async () => {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined);
    throw error;
  }
};
