/**
 * Peak resident memory of a few process groups while a bench step runs (Linux `/proc`): each
 * member's `VmRSS` sampled every 250 ms, the peak kept per executable name (`node` for
 * wrangler's own process, `workerd`), in MB. Elsewhere it reports nothing.
 */
import { readFileSync } from "node:fs";
import { groupMembers } from "../src/node/dev/supervisor/proc";

const rssKb = (pid: number): number => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
};

/**
 * Starts sampling the groups `groups()` names (label → process group id, read at each sample,
 * so a restarted service is followed); `stop` answers the peaks by `label/executable`.
 */
export const sampleRss = (groups: () => Readonly<Record<string, number | undefined>>) => {
  const peaks: Record<string, number> = {};
  const sample = () => {
    for (const [label, pgid] of Object.entries(groups())) {
      if (pgid === undefined) continue;
      for (const member of groupMembers(pgid)) {
        // A process gone between the listing and the read has no name: nothing to count.
        if (member.name === "") continue;
        const key = `${label}/${member.name}`;
        peaks[key] = Math.max(peaks[key] ?? 0, rssKb(member.pid));
      }
    }
  };
  sample();
  const timer = setInterval(sample, 250);
  return () => {
    clearInterval(timer);
    sample();
    return Object.fromEntries(
      Object.entries(peaks)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, kb]) => [key, Math.round(kb / 1024)]),
    );
  };
};
