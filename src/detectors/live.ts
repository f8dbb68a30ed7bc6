/**
 * Live-ness of a daily partition, for LatencyBreach: a trading date's data becomes available
 * when its session has closed and settled; only the newest closed session is live (older
 * dates are backfills, whose delay is not a latency breach).
 */
import { easternMidnightUtcMs } from "../calendar/dates";
import { earlyClose } from "../calendar/nyse";
import { latestClosedTradingDay } from "../calendar/sessions";

const HOUR_MS = 3_600_000;
/** Minutes after the close before a session's data is final (as `calendar/sessions`). */
export const SETTLE_MINUTES = 30;

/** When `date`'s end-of-session data is available: close (16:00 / 13:00 ET) + settle. */
export const sessionDataAvailableAtMs = (date: string): number =>
  easternMidnightUtcMs(date) + (earlyClose(date) ? 13 : 16) * HOUR_MS + SETTLE_MINUTES * 60_000;

/** True when `date` is the newest session closed at `nowMs`: a live run, not a backfill. */
export const isLiveSession = (date: string, nowMs: number): boolean =>
  latestClosedTradingDay(nowMs) === date;
