/**
 * Partition keys of trade pipelines: `YYYY-MM-DD|<client_id>` (one client's trading day).
 *
 * The contract takes any trimmed, non-empty client id; a partition key can name one that has
 * no `|` (the key's separator), no control character and no space at either end, and fits the
 * 200-character key (`docs/contracts.md`). `Client A` works; a client id with `|` is still
 * ingested from a file, under a `file:` partition.
 */
import { Either } from "effect";
import { parseIsoDate } from "../../calendar/dates";
import { InvalidPartitionKey } from "../../core/model/errors";
import { PartitionKey } from "../../core/model/ids";

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

/** Formats a partition key. */
export const formatTradePartition = (date: string, clientId: string): PartitionKey =>
  PartitionKey.make(`${date}|${clientId}`);

/** Parses `YYYY-MM-DD|<client_id>`: a real date and an identifier-shaped client id. */
export const parseDateClient = (
  pipeline: string,
  key: string,
): Either.Either<DateClientPartition, InvalidPartitionKey> => {
  const fail = (message: string) =>
    Either.left(new InvalidPartitionKey({ pipeline, partition: key, message }));
  const cut = key.indexOf("|");
  if (cut < 0) {
    return fail(
      `partition must be "YYYY-MM-DD|<client_id>", e.g. "2025-01-02|CLIENT_A", got "${key}"`,
    );
  }
  const datePart = key.slice(0, cut);
  const clientId = key.slice(cut + 1);
  const date = parseIsoDate(datePart);
  if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
  const problem = partitionClientProblem(clientId);
  if (problem !== undefined) return fail(problem);
  return Either.right({ date, clientId });
};
