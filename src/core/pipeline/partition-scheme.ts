/**
 * `PartitionScheme`: what a pipeline's partition keys are. It parses a key into a typed
 * partition (or a typed `InvalidPartitionKey`), formats a partition back into its canonical
 * key, lists the partitions of a date range (backfills, replays) and of live mode (the cron),
 * and says which date a partition has (the runner refuses future ones) and whether the NYSE
 * calendar expects data for it. `datedScheme` builds the `YYYY-MM-DD|<scope>` schemes.
 */
import * as Either from "effect/Either";
import { addDays, dayOfWeek, type IsoDate, parseIsoDate, toDayNumber } from "../../calendar/dates";
import { closedSessionReason } from "../../calendar/nyse";
import { InvalidBackfillParams } from "../backfill/errors";
import { type BackfillParams, type DateRange, datesInRange } from "../backfill/range";
import type { SourceSettings } from "../config/app-config";
import { InvalidPartitionKey } from "../model/errors";
import { PartitionKey } from "../model/ids";

export interface PartitionScheme<P> {
  /** What the keys look like, e.g. `YYYY-MM-DD|<universe>`. */
  readonly shape: string;
  /** An example key, shown in errors and help. */
  readonly example: string;
  readonly parse: (pipeline: string, key: string) => Either.Either<P, InvalidPartitionKey>;
  /** The canonical key of a partition; `parse(format(p))` gives `p` back. */
  readonly format: (partition: P) => PartitionKey;
  /** The partition's date (trading date, week ending), if it has one. */
  readonly dateOf: (partition: P) => IsoDate | undefined;
  /** The partition's scope (universe, client, tier), if it has one. */
  readonly scopeOf: (partition: P) => string | undefined;
  /** Why no data is expected for the partition (weekend, NYSE holiday), or undefined. */
  readonly closedReason: (partition: P) => string | undefined;
  /** Partitions live (cron) mode brings up to date at `now`; empty if none. */
  readonly live: (now: Date, config: SourceSettings) => ReadonlyArray<P>;
  /** Partitions a scheduled delivery on `date` (New York) fills; default: none declared. */
  readonly expected?: (date: string, config: SourceSettings) => ReadonlyArray<P>;
  /** The partitions of an inclusive date range, in backfill order; absent: no backfill. */
  readonly range?: (
    pipeline: string,
    range: DateRange,
    params: BackfillParams,
  ) => Either.Either<ReadonlyArray<P>, InvalidBackfillParams>;
}

/** A key's leading date and the scope after its first `|`, when it starts `YYYY-MM-DD`. */
export const splitDatedKey = (
  key: string,
): { readonly date: IsoDate; readonly scope: string | undefined } | undefined => {
  const cut = key.indexOf("|");
  const date = parseIsoDate(cut < 0 ? key : key.slice(0, cut));
  return date === undefined ? undefined : { date, scope: cut < 0 ? undefined : key.slice(cut + 1) };
};

/** The week endings (Fridays) of an inclusive date range, oldest first. */
export const fridaysInRange = (range: DateRange): ReadonlyArray<IsoDate> => {
  const first = addDays(range.start, (4 - dayOfWeek(range.start) + 7) % 7);
  const out: Array<IsoDate> = [];
  for (let d = first; toDayNumber(d) <= toDayNumber(range.end); d = addDays(d, 7)) out.push(d);
  return out;
};

/** How a `YYYY-MM-DD|<scope>` scheme reads its scope and builds its typed partition. */
export interface DatedSchemeOptions<S, P> {
  /** e.g. `YYYY-MM-DD|<universe>`, `<week_ending>|<tier>`. */
  readonly shape: string;
  readonly example: string;
  /** `day`: any calendar date; `week`: a week ending, which is a Friday. */
  readonly period: "day" | "week";
  /** Consult the NYSE calendar: weekends and holidays expect no data. */
  readonly nyseSessions: boolean;
  /** The scope of a key, or why it cannot be one. */
  readonly scope: (raw: string) => Either.Either<S, string>;
  readonly make: (date: IsoDate, scope: S) => P;
  /** The date and scope text of a partition (its key is `date|scope`). */
  readonly parts: (partition: P) => readonly [IsoDate, string];
  readonly live?: (now: Date, config: SourceSettings) => ReadonlyArray<P>;
  readonly expected?: (date: string, config: SourceSettings) => ReadonlyArray<P>;
  /**
   * Backfills: the one param naming the scope, and the scopes a range covers without it
   * (absent: the param is required); `hint` completes "params.<param> is required".
   */
  readonly backfill?: {
    readonly param: string;
    readonly all?: ReadonlyArray<S>;
    readonly hint: string;
  };
}

/** A `YYYY-MM-DD|<scope>` scheme: daily-by-scope or weekly (Friday) by scope. */
export const datedScheme = <S, P>(options: DatedSchemeOptions<S, P>): PartitionScheme<P> => {
  const format = (partition: P) => {
    const [date, scope] = options.parts(partition);
    return PartitionKey.make(`${date}|${scope}`);
  };
  const parse = (pipeline: string, key: string): Either.Either<P, InvalidPartitionKey> => {
    const fail = (message: string) =>
      Either.left(new InvalidPartitionKey({ pipeline, partition: key, message }));
    const cut = key.indexOf("|");
    if (cut < 0) {
      return fail(`partition must be "${options.shape}", e.g. "${options.example}", got "${key}"`);
    }
    const datePart = key.slice(0, cut);
    const date = parseIsoDate(datePart);
    if (date === undefined) return fail(`"${datePart}" is not a calendar date YYYY-MM-DD`);
    if (options.period === "week" && dayOfWeek(date) !== 4) {
      return fail(`week ending ${date} is not a Friday`);
    }
    return Either.match(options.scope(key.slice(cut + 1)), {
      onLeft: fail,
      onRight: (scope) => Either.right(options.make(date, scope)),
    });
  };
  const backfill = options.backfill;
  const range =
    backfill === undefined
      ? undefined
      : (pipeline: string, dates: DateRange, params: BackfillParams) => {
          const fail = (message: string) =>
            Either.left(new InvalidBackfillParams({ pipeline, message }));
          const unknown = Object.keys(params).filter((k) => k !== backfill.param);
          if (unknown.length > 0) {
            return fail(`unknown params ${unknown.join(", ")}; accepted: ${backfill.param}`);
          }
          const raw = params[backfill.param];
          let scopes: ReadonlyArray<S>;
          if (raw === undefined) {
            if (backfill.all === undefined) {
              return fail(`params.${backfill.param} is required (${backfill.hint})`);
            }
            scopes = backfill.all;
          } else {
            const scope = options.scope(raw);
            if (Either.isLeft(scope)) return fail(`params.${backfill.param}: ${scope.left}`);
            scopes = [scope.right];
          }
          const days = options.period === "week" ? fridaysInRange(dates) : datesInRange(dates);
          return Either.right(days.flatMap((d) => scopes.map((s) => options.make(d, s))));
        };
  return {
    shape: options.shape,
    example: options.example,
    parse,
    format,
    dateOf: (p) => options.parts(p)[0],
    scopeOf: (p) => options.parts(p)[1],
    closedReason: (p) =>
      options.nyseSessions ? closedSessionReason(options.parts(p)[0]) : undefined,
    live: options.live ?? (() => []),
    ...(options.expected ? { expected: options.expected } : {}),
    ...(range ? { range } : {}),
  };
};
