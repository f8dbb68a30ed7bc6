/**
 * A small process supervisor for the local stack: starts services in order, restarts one that
 * crashes (with backoff, logged), restarts one whose probe keeps failing, and stops everything
 * it started when a service exits for good. Each service runs in a process group of its own,
 * so stopping it stops its children too (wrangler's workerd), and every service is started
 * with `exit-with-parent.cjs`, so a killed supervisor leaves nothing behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** One supervised process. */
export interface ServiceSpec {
  readonly name: string;
  /** Node arguments (script first); the service runs on this process's Node. */
  readonly args: ReadonlyArray<string>;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly output: "inherit" | "ignore";
  /** What an exit the supervisor did not ask for means: restart it, or stop everything. */
  readonly onExit: "restart" | "stop";
  /** Resolves once the service answers; called until it does or `readyTimeoutMs` passes. */
  readonly ready: () => Promise<boolean>;
  readonly readyTimeoutMs: number;
  /** A liveness check: the reason it is unhealthy, or undefined. `failures` in a row restart it. */
  readonly probe?: {
    readonly intervalMs: number;
    readonly failures: number;
    readonly check: (pid: number) => Promise<string | undefined>;
  };
}

export interface SupervisorOptions {
  /** First restart delay, doubled per crash up to `maxBackoffMs`. Default 500 ms. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** More crashes than this within `crashWindowMs` and the service is given up. Default 5. */
  readonly maxCrashes?: number;
  readonly crashWindowMs?: number;
  /** How long a stopped service has after SIGTERM before SIGKILL. Default 5 s. */
  readonly killAfterMs?: number;
  /** Where the supervisor's own lines go. Default stderr. */
  readonly log?: (line: string) => void;
}

/** Why the supervisor stopped. */
export interface Stopped {
  readonly reason: string;
  /** True when a service exited or crashed for good (not a requested stop). */
  readonly failed: boolean;
}

interface Running {
  readonly spec: ServiceSpec;
  child: ChildProcess | undefined;
  /** Set while the supervisor itself stops or restarts the process. */
  expectedExit: boolean;
  crashes: Array<number>;
  probeTimer: NodeJS.Timeout | undefined;
  probeFailures: number;
}

/** Preloaded into every service: ends the service's group when the supervisor is gone. */
export const EXIT_WITH_PARENT = fileURLToPath(new URL("./exit-with-parent.cjs", import.meta.url));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const describeExit = (code: number | null, signal: NodeJS.Signals | null) =>
  signal ? `signal ${signal}` : `code ${code}`;

export class Supervisor {
  readonly #services = new Map<string, Running>();
  readonly #options: Required<SupervisorOptions>;
  #stopping: Promise<Stopped> | undefined;
  readonly #stopped: Promise<Stopped>;
  #resolveStopped: (stopped: Stopped) => void = () => undefined;

  constructor(options: SupervisorOptions = {}) {
    this.#options = {
      backoffMs: 500,
      maxBackoffMs: 10_000,
      maxCrashes: 5,
      crashWindowMs: 60_000,
      killAfterMs: 5_000,
      log: (line) => process.stderr.write(`[dev] ${line}\n`),
      ...options,
    };
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /** Resolves when everything has been stopped, with the reason. */
  get stopped(): Promise<Stopped> {
    return this.#stopped;
  }

  /** The process (group leader) of a service, while it runs. */
  pid(name: string): number | undefined {
    return this.#services.get(name)?.child?.pid;
  }

  /** The child process of a service, while it runs (its piped output, in tests). */
  child(name: string): ChildProcess | undefined {
    return this.#services.get(name)?.child;
  }

  /** Starts a service and waits until it is ready; a failure stops everything started. */
  async add(spec: ServiceSpec): Promise<void> {
    const running: Running = {
      spec,
      child: undefined,
      expectedExit: false,
      crashes: [],
      probeTimer: undefined,
      probeFailures: 0,
    };
    this.#services.set(spec.name, running);
    try {
      await this.#launch(running);
    } catch (error) {
      await this.stop(`${spec.name} did not start: ${(error as Error).message}`, true);
      throw error;
    }
  }

  /** Stops every service, last started first. Idempotent. */
  stop(reason = "stop requested", failed = false): Promise<Stopped> {
    this.#stopping ??= (async () => {
      this.#options.log(`stopping everything: ${reason}`);
      for (const running of [...this.#services.values()].reverse()) await this.#halt(running);
      const stopped = { reason, failed };
      this.#resolveStopped(stopped);
      return stopped;
    })();
    return this.#stopping;
  }

  async #launch(running: Running): Promise<void> {
    const { spec } = running;
    const child = spawn(process.execPath, ["--require", EXIT_WITH_PARENT, ...spec.args], {
      cwd: spec.cwd,
      detached: true,
      stdio: ["ignore", spec.output, spec.output],
      env: { ...process.env, ...spec.env, DATASPINE_SUPERVISOR_PID: String(process.pid) },
    });
    running.child = child;
    running.expectedExit = false;
    child.once("exit", (code, signal) => this.#exited(running, child, code, signal));
    const deadline = Date.now() + spec.readyTimeoutMs;
    while (!(await spec.ready().catch(() => false))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`exited (${describeExit(child.exitCode, child.signalCode)})`);
      }
      if (Date.now() > deadline) throw new Error(`not ready within ${spec.readyTimeoutMs} ms`);
      await sleep(200);
    }
    this.#armProbe(running);
  }

  #exited(
    running: Running,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ) {
    if (running.child !== child) return;
    running.child = undefined;
    this.#disarmProbe(running);
    // Anything left in the group (workerd under wrangler) goes with it.
    this.#signalGroup(child, "SIGKILL");
    if (running.expectedExit || this.#stopping) return;
    const { spec } = running;
    const how = describeExit(code, signal);
    if (spec.onExit === "stop") {
      void this.stop(`${spec.name} exited (${how})`, true);
      return;
    }
    const now = Date.now();
    running.crashes = [
      ...running.crashes.filter((at) => now - at < this.#options.crashWindowMs),
      now,
    ];
    if (running.crashes.length > this.#options.maxCrashes) {
      void this.stop(
        `${spec.name} crashed ${running.crashes.length} times in ${this.#options.crashWindowMs / 1000} s`,
        true,
      );
      return;
    }
    const delay = Math.min(
      this.#options.backoffMs * 2 ** (running.crashes.length - 1),
      this.#options.maxBackoffMs,
    );
    this.#options.log(
      `${spec.name} exited (${how}); restart ${running.crashes.length} in ${delay} ms`,
    );
    void this.#relaunchAfter(running, delay);
  }

  async #relaunchAfter(running: Running, delayMs: number) {
    await sleep(delayMs);
    if (this.#stopping) return;
    try {
      await this.#launch(running);
      this.#options.log(`${running.spec.name} restarted (pid ${running.child?.pid})`);
    } catch (error) {
      this.#options.log(`${running.spec.name} restart failed: ${(error as Error).message}`);
      // A process that exited was handled by its exit event; one that never got ready is
      // stopped here, which counts as its next crash.
      const child = running.child;
      if (child && child.exitCode === null && child.signalCode === null) {
        this.#signalGroup(child, "SIGKILL");
      }
    }
  }

  #armProbe(running: Running) {
    const probe = running.spec.probe;
    if (!probe) return;
    running.probeFailures = 0;
    running.probeTimer = setInterval(() => {
      const pid = running.child?.pid;
      if (pid === undefined || running.expectedExit) return;
      void probe.check(pid).then((problem) => {
        if (running.child?.pid !== pid || this.#stopping) return;
        running.probeFailures = problem === undefined ? 0 : running.probeFailures + 1;
        if (problem === undefined || running.probeFailures < probe.failures) return;
        this.#options.log(
          `${running.spec.name} unhealthy ${probe.failures} times in a row (${problem}); restarting it`,
        );
        void this.#restart(running);
      });
    }, probe.intervalMs);
    running.probeTimer.unref();
  }

  #disarmProbe(running: Running) {
    if (running.probeTimer) clearInterval(running.probeTimer);
    running.probeTimer = undefined;
  }

  async #restart(running: Running) {
    await this.#halt(running);
    if (this.#stopping) return;
    try {
      await this.#launch(running);
      this.#options.log(`${running.spec.name} restarted (pid ${running.child?.pid})`);
    } catch (error) {
      void this.stop(`${running.spec.name} did not restart: ${(error as Error).message}`, true);
    }
  }

  /** Stops one service's process group: SIGTERM, then SIGKILL after the grace period. */
  async #halt(running: Running) {
    this.#disarmProbe(running);
    const child = running.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    running.expectedExit = true;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    this.#signalGroup(child, "SIGTERM");
    const timer = setTimeout(() => this.#signalGroup(child, "SIGKILL"), this.#options.killAfterMs);
    await exited;
    clearTimeout(timer);
    // The leader may go first; whatever it leaves in its group goes too.
    this.#signalGroup(child, "SIGKILL");
  }

  #signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  }
}
