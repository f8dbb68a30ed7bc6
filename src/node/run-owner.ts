/**
 * The run owner of a CLI process: host, boot, pid and the process's start time, so that a
 * capture left `running` by a CLI process that died (even by `kill -9`) is recognised by the
 * next CLI process on the same machine, and a reused pid is not mistaken for the old process.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import * as Layer from "effect/Layer";
import { RunOwner, type RunOwnerInfo } from "../core/pipeline/run-owner";

const bootId = (): string => {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "-";
  }
};

/** The start time of `pid` in clock ticks since boot (Linux), "-" elsewhere, undefined if gone. */
const startOf = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime); fields after the command name start at field 3.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    try {
      process.kill(pid, 0);
      return "-";
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM" ? "-" : undefined;
    }
  }
};

/** `host/boot/pid/start` of a process. */
const cliId = (pid: number): string =>
  [hostname(), bootId(), String(pid), startOf(pid) ?? "-"].join("/");

/** Whether the CLI process `id` (`host/boot/pid/start`) on this host has ended. */
export const cliProcessGone = (id: string): boolean => {
  const [host, boot, pidText, start] = id.split("/");
  if (host !== hostname()) return false;
  if (boot !== bootId()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const now = startOf(pid);
  return now === undefined || (now !== "-" && start !== "-" && now !== start);
};

/** This process as a run owner. */
export const cliRunOwner = (): RunOwnerInfo => ({ kind: "cli", id: cliId(process.pid) });

/** `RunOwner` for a CLI process. */
export const RunOwnerCli = Layer.sync(RunOwner, () => {
  const info = cliRunOwner();
  return {
    info,
    isGone: (other) => other.kind === "cli" && other.id !== info.id && cliProcessGone(other.id),
  };
});
