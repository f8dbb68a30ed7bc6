/**
 * Partitions are dated by their key's leading `YYYY-MM-DD` (trading date, week ending), in
 * the markets' time zone, America/New_York. A partition dated after today there has no data
 * yet: it is refused before any run, so it is never recorded complete, ready or missing.
 */
import * as Clock from "effect/Clock";
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { newYorkDate } from "../../calendar/sessions";
import { TaggedHttpError } from "../model/tagged-http-error";
import { splitDatedKey } from "./partition-scheme";

/** The partition's date is after today (New York): nothing can be run for it yet. */
export class PartitionInFuture extends TaggedHttpError<PartitionInFuture>()(
  "PartitionInFuture",
  409,
  { pipeline: Schema.String, partition: Schema.String, date: Schema.String, today: Schema.String },
) {}

/** The date a partition key starts with (`2025-01-02|demo` → `2025-01-02`), if any. */
export const partitionDate = (key: string): string | undefined => splitDatedKey(key)?.date;

/**
 * Fails with `PartitionInFuture` when `partition` is dated after today in New York; `date` is
 * what the pipeline's scheme reads from the key (default: its leading `YYYY-MM-DD`).
 */
export const refuseFuturePartition = (
  pipeline: string,
  partition: string,
  date: string | undefined = partitionDate(partition),
) =>
  Effect.gen(function* () {
    if (date === undefined) return;
    const today = newYorkDate(yield* Clock.currentTimeMillis);
    if (date > today) {
      return yield* new PartitionInFuture({
        pipeline,
        partition,
        date,
        today,
        message: `partition ${partition} is dated ${date}, after today (${today}, America/New_York): it has no data yet`,
      });
    }
  });
