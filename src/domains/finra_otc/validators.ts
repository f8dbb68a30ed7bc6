/**
 * Quality gates of the FINRA OTC transparency domain, checked before a calculation runs.
 */
import * as Effect from "effect/Effect";
import { isReady } from "../../core/store/readiness";
import { formatWeekTier, weekWindow } from "./partition";
import type { FinraTier } from "./schema";

/** The domain and stage whose readiness proves a week's symbol summary is complete. */
export const AGGREGATE_READINESS = { domain: "finra.otc_transparency", stage: "AGGREGATE" };

/**
 * `require_history_window`: the `windowWeeks` consecutive weeks ending at `weekEnding` must
 * each have a complete (ready) aggregate for `tier`. Returns the window and the weeks missing.
 */
export const requireHistoryWindow = (tier: FinraTier, weekEnding: string, windowWeeks: number) =>
  Effect.gen(function* () {
    const weeks = weekWindow(weekEnding, windowWeeks);
    const missing: Array<string> = [];
    for (const week of weeks) {
      const ready = yield* isReady(
        AGGREGATE_READINESS.domain,
        AGGREGATE_READINESS.stage,
        formatWeekTier(week, tier),
      );
      if (!ready) missing.push(week);
    }
    return { ok: missing.length === 0, weeks, missing } as const;
  });
