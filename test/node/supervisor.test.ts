/**
 * The dev supervisor on small real processes: crash restarts with backoff, giving up on a crash
 * loop, probe restarts, stopping everything when a `stop` service exits, SIGKILL after the
 * grace period.
 */
import { describe, expect, it } from "vitest";
import { type ServiceSpec, Supervisor } from "../../src/node/dev/supervisor/supervisor";

const alive = (pid: number | undefined) => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const service = (name: string, script: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  args: ["-e", script],
  output: "ignore",
  onExit: "restart",
  ready: async () => true,
  readyTimeoutMs: 5_000,
  ...extra,
});

const FOREVER = "setInterval(() => {}, 1000)";

const make = () => {
  const lines: Array<string> = [];
  const supervisor = new Supervisor({
    backoffMs: 20,
    maxBackoffMs: 100,
    maxCrashes: 3,
    killAfterMs: 500,
    log: (line) => lines.push(line),
  });
  return { supervisor, lines };
};

describe("supervisor", () => {
  it("restarts a crashed service with growing delays, then gives up and stops everything", async () => {
    const { supervisor, lines } = make();
    await supervisor.add(service("steady", FOREVER));
    const steady = supervisor.pid("steady");
    await supervisor.add(service("flaky", "setTimeout(() => process.exit(3), 50)"));
    const stopped = await supervisor.stopped;
    expect(stopped).toEqual({ reason: "flaky crashed 4 times in 60 s", failed: true });
    expect(lines.filter((l) => l.startsWith("flaky exited (code 3); restart"))).toEqual([
      "flaky exited (code 3); restart 1 in 20 ms",
      "flaky exited (code 3); restart 2 in 40 ms",
      "flaky exited (code 3); restart 3 in 80 ms",
    ]);
    expect(alive(steady)).toBe(false);
  });

  it("a restarted service runs again under a new pid", async () => {
    const { supervisor, lines } = make();
    await supervisor.add(service("server", FOREVER));
    const first = supervisor.pid("server");
    process.kill(first as number, "SIGKILL");
    for (let i = 0; i < 100 && !lines.some((l) => l.startsWith("server restarted")); i++) {
      await sleep(50);
    }
    const second = supervisor.pid("server");
    expect(second).not.toBe(first);
    expect(alive(second)).toBe(true);
    expect(lines[0]).toBe("server exited (signal SIGKILL); restart 1 in 20 ms");
    await supervisor.stop();
    expect(alive(second)).toBe(false);
  });

  it("restarts a service whose probe fails the given number of times in a row", async () => {
    const { supervisor, lines } = make();
    let checks = 0;
    await supervisor.add(
      service("worker", FOREVER, {
        onExit: "stop",
        probe: {
          intervalMs: 50,
          failures: 2,
          check: async () => {
            checks += 1;
            return checks <= 2 ? "no /health answer" : undefined;
          },
        },
      }),
    );
    const first = supervisor.pid("worker");
    for (let i = 0; i < 100 && !lines.some((l) => l.startsWith("worker restarted")); i++) {
      await sleep(50);
    }
    expect(lines[0]).toBe("worker unhealthy 2 times in a row (no /health answer); restarting it");
    expect(supervisor.pid("worker")).not.toBe(first);
    expect(alive(first)).toBe(false);
    await supervisor.stop();
  });

  it("stops everything when a `stop` service exits, and SIGKILLs what ignores SIGTERM", async () => {
    const { supervisor, lines } = make();
    await supervisor.add(
      service("stubborn", `process.on("SIGTERM", () => {}); ${FOREVER}`, { onExit: "restart" }),
    );
    const stubborn = supervisor.pid("stubborn");
    await supervisor.add(
      service("wrangler", "setTimeout(() => process.exit(0), 100)", { onExit: "stop" }),
    );
    expect(await supervisor.stopped).toEqual({ reason: "wrangler exited (code 0)", failed: true });
    expect(alive(stubborn)).toBe(false);
    expect(lines).toContain("stopping everything: wrangler exited (code 0)");
  });

  it("a service that never gets ready fails `add` and stops what was started", async () => {
    const { supervisor } = make();
    await supervisor.add(service("first", FOREVER));
    const first = supervisor.pid("first");
    await expect(
      supervisor.add(service("never", FOREVER, { ready: async () => false, readyTimeoutMs: 300 })),
    ).rejects.toThrow("not ready within 300 ms");
    expect(await supervisor.stopped).toMatchObject({ failed: true });
    expect(alive(first)).toBe(false);
  });
});
