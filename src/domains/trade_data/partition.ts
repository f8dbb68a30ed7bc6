/**
 * Partitions of trade pipelines: `YYYY-MM-DD|<client_id>` (one client's trading day).
 *
 * The contract takes any trimmed, non-empty client id; a partition key can name one that has
 * no `|` (the key's separator), no control character and no space at either end, and fits the
 * 200-character key (`docs/contracts.md`). `Client A` works; a client id with `|` is still
 * ingested from a file, under a `file:` partition.
 */
import * as Either from "effect/Either";
import { latestClosedTradingDay } from "../../calendar/sessions";
import type { PartitionKey } from "../../core/model/ids";
import { datedScheme } from "../../core/pipeline/partition-scheme";

export interface DateClientPartition {
  readonly date: string;
  readonly clientId: string;
}

/** Longest client id a partition key holds: 200 characters less `YYYY-MM-DD|`. */
const MAX_CLIENT_CHARS = 189;

/** Why `clientId` cannot be named in a partition key, or undefined when it can. */
export const partitionClientProblem = (clientId: string): string | undefined => {
  if (clientId.length === 0) return "client id is empty";
  if (clientId.trim() !== clientId) return `client id "${clientId}" has a space at either end`;
  if (clientId.length > MAX_CLIENT_CHARS) {
    return `client id is longer than ${MAX_CLIENT_CHARS} characters`;
  }
  if (clientId.includes("|")) {
    return `client id "${clientId}" contains "|", the partition key's separator (ingest its file under a file: partition)`;
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  if (/[\u0000-\u001f\u007f]/.test(clientId)) return "client id contains a control character";
  return undefined;
};

/** Daily by client; backfills take `{ client }`; live mode: `LIVE_CLIENTS`' last session. */
export const DAILY_BY_CLIENT = datedScheme({
  shape: "YYYY-MM-DD|<client_id>",
  example: "2025-01-02|CLIENT_A",
  period: "day",
  nyseSessions: true,
  scope: (clientId) => {
    const problem = partitionClientProblem(clientId);
    return problem === undefined ? Either.right(clientId) : Either.left(problem);
  },
  make: (date, clientId): DateClientPartition => ({ date, clientId }),
  parts: (p) => [p.date, p.clientId],
  live: (now, config) => {
    const date = latestClosedTradingDay(now.getTime());
    return config.liveClients.map((clientId) => ({ date, clientId }));
  },
  backfill: { param: "client", hint: "e.g. CLIENT_A" },
});

/** The key of a client's date. */
export const formatTradePartition = (date: string, clientId: string): PartitionKey =>
  DAILY_BY_CLIENT.format({ date, clientId });
