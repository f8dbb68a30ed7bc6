/**
 * LatencyBreach: ingestion time minus data time over an SLA (default 5 minutes).
 *
 * Consecutive breaching records are one episode and one anomaly (with the count, the worst
 * and the first latency), not one per record. The ingestion time must be taken at an I/O
 * boundary (when the payload arrived): in Workers `Date.now()` only advances at I/O.
 */
import * as Effect from "effect/Effect";
import { type Detection, type DetectorDefinition, iso, severityOf } from "./types";

export interface LatencyBreachConfig {
  /** Largest acceptable ingestion delay, in minutes. Default 5. */
  readonly slaMinutes: number;
}

export const LATENCY_BREACH_DEFAULTS: LatencyBreachConfig = { slaMinutes: 5 };

const MINUTE_MS = 60_000;

/** One observation: when the data is from, and when it was ingested (epoch ms). */
export interface LatencyObservation {
  readonly dataAtMs: number;
  readonly ingestedAtMs: number;
  /** The delay to judge when it is not `ingestedAtMs - dataAtMs` (e.g. NYSE session time). */
  readonly latencyMs?: number;
}

interface Episode {
  firstDataAt: number;
  lastDataAt: number;
  ingestedAt: number;
  count: number;
  worstMs: number;
}

/** One series' LatencyBreach state. */
export class LatencyBreachTracker {
  #episode: Episode | undefined;
  readonly #closed: Array<Detection> = [];
  constructor(
    readonly config: LatencyBreachConfig,
    readonly series: string,
  ) {}

  /** Adds one observation; returns true when it breaches the SLA. */
  push(o: LatencyObservation): boolean {
    const latency = o.latencyMs ?? o.ingestedAtMs - o.dataAtMs;
    if (latency <= this.config.slaMinutes * MINUTE_MS) {
      this.#close();
      return false;
    }
    const e = this.#episode;
    if (e === undefined) {
      this.#episode = {
        firstDataAt: o.dataAtMs,
        lastDataAt: o.dataAtMs,
        ingestedAt: o.ingestedAtMs,
        count: 1,
        worstMs: latency,
      };
    } else {
      e.lastDataAt = o.dataAtMs;
      e.count += 1;
      e.worstMs = Math.max(e.worstMs, latency);
    }
    return true;
  }

  #close(): void {
    const e = this.#episode;
    if (e === undefined) return;
    this.#episode = undefined;
    const worst = e.worstMs / MINUTE_MS;
    this.#closed.push({
      rule: "LATENCY_BREACH",
      severity: severityOf(worst / this.config.slaMinutes),
      key: `${this.series}|${iso(e.firstDataAt)}`,
      message: `Latency breach: data delayed by ${worst.toFixed(1)} minutes (SLA ${this.config.slaMinutes} min; ${e.count} record(s) from ${iso(e.firstDataAt)})`,
      context: {
        series: this.series,
        records: e.count,
        worst_delay_minutes: Math.round(worst * 100) / 100,
        sla_minutes: this.config.slaMinutes,
        first_data_at: iso(e.firstDataAt),
        last_data_at: iso(e.lastDataAt),
        ingested_at: iso(e.ingestedAt),
      },
      observedAt: iso(e.firstDataAt),
    });
  }

  /** Closes an open episode and returns every episode so far (and forgets them). */
  drain(): ReadonlyArray<Detection> {
    this.#close();
    return this.#closed.splice(0, this.#closed.length);
  }
}

/** Input: one series' observations, in order. */
export interface LatencyBreachInput {
  readonly series: string;
  readonly observations: ReadonlyArray<LatencyObservation>;
}

export const latencyBreachDetector: DetectorDefinition<LatencyBreachInput, LatencyBreachConfig> = {
  name: "LATENCY_BREACH",
  description: "Ingestion time minus data time over an SLA (default 5 minutes)",
  defaults: LATENCY_BREACH_DEFAULTS,
  detect: (input, config) =>
    Effect.sync(() => {
      const tracker = new LatencyBreachTracker(
        { ...LATENCY_BREACH_DEFAULTS, ...config },
        input.series,
      );
      for (const o of input.observations) tracker.push(o);
      return tracker.drain();
    }),
};
