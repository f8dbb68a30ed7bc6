/**
 * Partitions of market-data pipelines: `YYYY-MM-DD|<universe>`, one universe's trading day.
 * Weekends and NYSE holidays are partitions too, whose runs expect no data.
 */
import * as Either from "effect/Either";
import { latestClosedTradingDay } from "../../calendar/sessions";
import type { PartitionKey } from "../../core/model/ids";
import { datedScheme } from "../../core/pipeline/partition-scheme";
import { UNIVERSES, universeSymbols } from "./universes";

export interface DateUniversePartition {
  readonly date: string;
  readonly universe: string;
  readonly symbols: ReadonlyArray<string>;
}

const known = () => Object.keys(UNIVERSES).join(", ");

/** Daily by universe; backfills take `{ universe }`; live mode: `LIVE_UNIVERSES`' last session. */
export const DAILY_BY_UNIVERSE = datedScheme({
  shape: "YYYY-MM-DD|<universe>",
  example: "2025-01-02|demo",
  period: "day",
  nyseSessions: true,
  scope: (universe) => {
    const symbols = universeSymbols(universe);
    return symbols === undefined
      ? Either.left(`unknown universe "${universe}" (one of: ${known()})`)
      : Either.right({ universe, symbols });
  },
  make: (date, scope): DateUniversePartition => ({ date, ...scope }),
  parts: (p) => [p.date, p.universe],
  live: (now, config) => {
    const date = latestClosedTradingDay(now.getTime());
    return config.liveUniverses.map((universe) => ({
      date,
      universe,
      symbols: universeSymbols(universe) ?? [],
    }));
  },
  backfill: { param: "universe", hint: `one of: ${known()}` },
});

/** The key of a universe's date. */
export const formatPartition = (date: string, universe: string): PartitionKey =>
  DAILY_BY_UNIVERSE.format({ date, universe, symbols: [] });
