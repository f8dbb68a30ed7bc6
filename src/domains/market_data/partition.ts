/**
 * Partition keys of market-data pipelines: `YYYY-MM-DD|<universe>`.
 */
import { Either } from "effect";
import { parseIsoDate } from "../../calendar/nyse";
import { InvalidPartitionKey } from "../../core/model/errors";
import { PartitionKey } from "../../core/model/ids";
import { universeSymbols } from "./universes";

export interface DateUniversePartition {
  readonly date: string;
  readonly universe: string;
  readonly symbols: ReadonlyArray<string>;
}

/** Formats a partition key. */
export const formatPartition = (date: string, universe: string): PartitionKey =>
  PartitionKey.make(`${date}|${universe}`);

/** Parses `YYYY-MM-DD|<universe>`, checking the date is real and the universe exists. */
export const parseDateUniverse = (
  pipeline: string,
  key: string,
): Either.Either<DateUniversePartition, InvalidPartitionKey> => {
  const fail = (message: string) =>
    Either.left(new InvalidPartitionKey({ pipeline, partition: key, message }));
  const [datePart, universe, ...rest] = key.split("|");
  if (datePart === undefined || universe === undefined || rest.length > 0) {
    return fail(`partition must be "YYYY-MM-DD|<universe>", e.g. "2025-01-02|demo", got "${key}"`);
  }
  const date = parseIsoDate(datePart);
  if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
  const symbols = universeSymbols(universe);
  if (symbols === undefined) return fail(`unknown universe "${universe}"`);
  return Either.right({ date, universe, symbols });
};
