/**
 * Partition keys of trade pipelines: `YYYY-MM-DD|<client_id>` (one client's trading day).
 */
import { Either } from "effect";
import { parseIsoDate } from "../../calendar/dates";
import { InvalidPartitionKey } from "../../core/errors";
import { PartitionKey } from "../../core/ids";

export interface DateClientPartition {
  readonly date: string;
  readonly clientId: string;
}

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

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
  const [datePart, clientId, ...rest] = key.split("|");
  if (datePart === undefined || clientId === undefined || rest.length > 0) {
    return fail(
      `partition must be "YYYY-MM-DD|<client_id>", e.g. "2025-01-02|CLIENT_A", got "${key}"`,
    );
  }
  const date = parseIsoDate(datePart);
  if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
  if (!CLIENT_ID.test(clientId)) {
    return fail(`client id "${clientId}" must be 1-64 letters, digits or _.:-`);
  }
  return Either.right({ date, clientId });
};
