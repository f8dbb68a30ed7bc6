/**
 * `npm run dev` (scripts/dev.ts) as a developer runs it, on free ports and a temp database:
 * a killed libSQL endpoint is restarted and the stack answers again; INFO logs are not shown
 * as errors; nothing reaches a non-loopback host; killing wrangler stops everything; killing
 * the dev process itself (SIGKILL) leaves no process behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../fixtures/ports";
import { makeTempDb, type TempDb } from "../fixtures/temp-db";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const NET_AUDIT = fileURLToPath(new URL("../fixtures/net-audit.cjs", import.meta.url));
const TOKEN = "dev-supervisor-token";
const PIPELINE = "market_data.ingest_prices";

interface Dev {
  readonly child: ChildProcess;
  readonly workerUrl: string;
  readonly output: Array<string>;
  readonly auditFile: string;
}

const running: Array<Dev> = [];
const dirs: Array<TempDb> = [];

afterEach(async () => {
  for (const dev of running.splice(0)) {
    for (const pid of [dev.child.pid ?? 0, ...descendants(dev.child.pid ?? 0)]) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
  }
  for (const dir of dirs.splice(0)) await dir.cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every live process below `pid` (children, their children, …). */
const descendants = (pid: number): Array<number> => {
  const children = new Map<number, Array<number>>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      const ppid = Number(fields[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while listed
    }
  }
  const found: Array<number> = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
};

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

const commandOf = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return "";
  }
};

const waitFor = async <A>(what: string, probe: () => Promise<A | undefined>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
};

const withoutTestEnv = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(env).filter(([k]) => k !== "NODE_ENV" && !k.startsWith("VITEST")),
  );

const startDev = async (): Promise<Dev> => {
  const dir = await makeTempDb("dev.db");
  dirs.push(dir);
  const port = await freePort();
  const auditFile = join(dir.dir, "net-audit.log");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/dev.ts"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      // As a developer's shell has it: vitest's NODE_ENV=test would switch miniflare's
      // `Request.cf` download off by itself.
      ...withoutTestEnv(process.env),
      LIBSQL_URL: dir.url,
      LIBSQL_PORT: String(await freePort()),
      DEMO_FEED_PORT: String(await freePort()),
      PORT: String(port),
      WRANGLER_PERSIST_TO: join(dir.dir, "state"),
      DATASPINE_API_TOKEN: TOKEN,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${NET_AUDIT}`,
      NET_AUDIT_FILE: auditFile,
    },
  });
  const output: Array<string> = [];
  child.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const dev = { child, workerUrl: `http://127.0.0.1:${port}`, output, auditFile };
  running.push(dev);
  await waitFor(
    "dataspine is running",
    async () => {
      if (child.exitCode !== null) throw new Error(`dev exited: ${output.join("")}`);
      return output.join("").includes("dataspine is running") ? true : undefined;
    },
    150_000,
  );
  return dev;
};

const run = async (dev: Dev, partition: string) => {
  const res = await fetch(`${dev.workerUrl}/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ pipeline: PIPELINE, partition }),
  });
  return { status: res.status, body: (await res.json()) as { status: string } };
};

const healthStatus = async (dev: Dev) => {
  try {
    const res = await fetch(`${dev.workerUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
};

const serviceProcess = (dev: Dev, marker: string) => {
  const pid = descendants(dev.child.pid ?? 0).find((p) => commandOf(p).includes(marker));
  if (pid === undefined) throw new Error(`no process running ${marker}`);
  return pid;
};

describe("npm run dev, supervised", () => {
  it("restarts a killed libSQL endpoint, logs faithfully, stays offline, stops on wrangler's exit", async () => {
    const dev = await startDev();
    expect(await run(dev, "2025-01-02|demo")).toMatchObject({ body: { status: "complete" } });

    // INFO lines are printed as they are, not as errors.
    const lines = () => dev.output.join("").split("\n");
    await waitFor(
      "the run's INFO log line",
      async () => (lines().some((l) => l.includes('"run finished"')) ? true : undefined),
      10_000,
    );
    const finished = lines().filter((l) => l.includes('"run finished"'));
    expect(finished.filter((l) => l.includes("ERROR"))).toEqual([]);

    const libsql = serviceProcess(dev, "libsql-server");
    process.kill(libsql, "SIGKILL");
    await waitFor("the libSQL restart", async () => (!alive(libsql) ? true : undefined), 5_000);
    const since = Date.now();
    await waitFor(
      "/health 200",
      async () => ((await healthStatus(dev)) === 200 ? true : undefined),
      30_000,
    );
    expect(Date.now() - since).toBeLessThan(30_000);
    expect(dev.output.join("")).toMatch(/libsql exited \(signal SIGKILL\); restart 1 in \d+ ms/);
    await waitFor(
      "the restart log line",
      async () => (/libsql restarted \(pid \d+\)/.test(dev.output.join("")) ? true : undefined),
      5_000,
    );
    expect(await run(dev, "2025-01-03|demo")).toMatchObject({ body: { status: "complete" } });

    // Offline: no process of the stack looked up or connected to a host other than loopback.
    let audit = "";
    try {
      audit = readFileSync(dev.auditFile, "utf8");
    } catch {
      // no entry was ever written
    }
    expect(audit).toBe("");
    expect(dev.output.join("")).not.toContain("Request.cf");

    const all = descendants(dev.child.pid ?? 0);
    expect(all.length).toBeGreaterThan(3);
    const exited = new Promise<number | null>((resolve) => dev.child.once("exit", resolve));
    process.kill(serviceProcess(dev, "wrangler.js dev"), "SIGKILL");
    expect(await exited).toBe(1);
    await waitFor(
      "every process of the stack to end",
      async () => (all.every((p) => !alive(p)) ? true : undefined),
      15_000,
    );
    expect(dev.output.join("")).toMatch(/stopping everything: wrangler exited \(signal SIGKILL\)/);
  });

  it("a dev process killed with SIGKILL leaves no process behind", async () => {
    const dev = await startDev();
    const all = descendants(dev.child.pid ?? 0);
    expect(all.map(commandOf).join("\n")).toMatch(/workerd/);
    process.kill(dev.child.pid ?? 0, "SIGKILL");
    await waitFor(
      "every process of the stack to end",
      async () => (all.every((p) => !alive(p)) ? true : undefined),
      20_000,
    );
  });
});
