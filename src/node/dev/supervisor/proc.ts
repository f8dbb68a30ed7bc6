/**
 * What `/proc` says about a process group (Linux): its members, their open files and their
 * TCP sockets in CLOSE-WAIT. Elsewhere every reading is empty.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";

/** One process of a group. */
export interface GroupMember {
  readonly pid: number;
  /** The executable's base name (`node`, `workerd`). */
  readonly name: string;
}

const statFields = (pid: string): ReadonlyArray<string> | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
};

const nameOf = (pid: string): string => {
  try {
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0] ?? "";
    return argv0.slice(argv0.lastIndexOf("/") + 1);
  } catch {
    return "";
  }
};

/** The live processes whose process group is `pgid`. */
export const groupMembers = (pgid: number): ReadonlyArray<GroupMember> => {
  if (!existsSync("/proc")) return [];
  const members: Array<GroupMember> = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    // fields[0] is the state, [2] the process group; a zombie holds no files.
    if (fields?.[2] !== String(pgid) || fields[0] === "Z") continue;
    members.push({ pid: Number(entry), name: nameOf(entry) });
  }
  return members;
};

/** Inodes of TCP sockets in CLOSE-WAIT (state 08), IPv4 and IPv6. */
const closeWaitInodes = (): ReadonlySet<string> => {
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[3] === "08" && columns[9] !== undefined) inodes.add(columns[9]);
    }
  }
  return inodes;
};

/** Open files of one process, and how many of them are CLOSE-WAIT sockets. */
export interface FileCount {
  readonly pid: number;
  readonly name: string;
  readonly fds: number;
  readonly closeWait: number;
}

/** Open files (and CLOSE-WAIT sockets) of every member of a process group. */
export const groupFiles = (pgid: number): ReadonlyArray<FileCount> => {
  const members = groupMembers(pgid);
  if (members.length === 0) return [];
  const closeWait = closeWaitInodes();
  return members.flatMap((member) => {
    let fds: ReadonlyArray<string>;
    try {
      fds = readdirSync(`/proc/${member.pid}/fd`);
    } catch {
      return [];
    }
    let waiting = 0;
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${member.pid}/fd/${fd}`))?.[1];
        if (inode !== undefined && closeWait.has(inode)) waiting += 1;
      } catch {
        // closed while we looked
      }
    }
    return [{ ...member, fds: fds.length, closeWait: waiting }];
  });
};
