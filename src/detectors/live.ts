/**
 * Live-ness of a daily partition, for LatencyBreach, on the NYSE session calendar: a trading
 * date's data becomes available when its session has closed (16:00, or 13:00 on an early
 * close) and settled; a run is live when it happens after that on the session's own New York
 * date. A later run (the next morning, a weekend, a holiday) catches up, as a backfill does:
 * its delay is not a latency breach, and a partition that never arrived in time is
 * MissingData's, against `core_expected_schedules`.
 */
import { easternMidnightUtcMs } from "../calendar/dates";
import { earlyClose, isTradingDay } from "../calendar/nyse";
import { newYorkDate } from "../calendar/sessions";

const HOUR_MS = 3_600_000;
/** Minutes after the close before a session's data is final (as `calendar/sessions`). */
export const SETTLE_MINUTES = 30;

/** When `date`'s end-of-session data is available: close (16:00 / 13:00 ET) + settle. */
export const sessionDataAvailableAtMs = (date: string): number =>
  easternMidnightUtcMs(date) + (earlyClose(date) ? 13 : 16) * HOUR_MS + SETTLE_MINUTES * 60_000;

/**
 * True when a run at `nowMs` is `date`'s live run: `date` is a trading day whose data is
 * available by `nowMs`, and it is still that date in New York.
 */
export const isLiveSession = (date: string, nowMs: number): boolean =>
  isTradingDay(date) && nowMs >= sessionDataAvailableAtMs(date) && newYorkDate(nowMs) === date;
