/**
 * The alert dispatcher, whatever hosts it (a Durable Object on Workers, the in-process host on
 * Deno): one per host, it delivers the alert outbox (`src/alerts/`). Whatever writes anomalies
 * pokes it afterwards (partition actors after every run, replay coordinators after a slice,
 * the cron, the resolve route): a poke arms its alarm now; each alarm runs one delivery pass
 * (which first queues deliveries for new anomalies) and re-arms for the next delivery due.
 * Every delivery's state lives in libSQL; the dispatcher keeps only its alarm.
 */

import * as Effect from "effect/Effect";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import { type DispatchReport, deliveryPass } from "../alerts/dispatch";
import { configuredSinks } from "../alerts/sinks";
import { AppConfig } from "../core/config/app-config";
import type { PipelineServices } from "../core/pipeline/pipeline";
import type { ActorBindings, AlertDispatcherApi } from "./contract";

/** The dispatcher's alarm: a Durable Object's, or a row of the in-process host's alarms. */
export interface DispatcherAlarm {
  /** When the alarm is set for; null when none is (or while its own handler runs). */
  readonly at: () => Promise<number | null>;
  /** Sets (or moves) the alarm. */
  readonly set: (atMs: number) => Promise<void>;
}

export interface AlertDispatcherDeps {
  readonly runtime: ManagedRuntime.ManagedRuntime<PipelineServices, never>;
  readonly alarm: DispatcherAlarm;
}

/** After a database failure the alarm tries again this much later. */
const WATCHDOG_MS = 60_000;
/** A poke waits at most this long: alerts never hold up the run that wrote them. */
const POKE_TIMEOUT_MS = 5_000;

export class AlertDispatcherCore implements AlertDispatcherApi {
  readonly #deps: AlertDispatcherDeps;
  /** The pass in flight: an alarm arriving meanwhile joins it. */
  #pass: Promise<DispatchReport> | undefined;
  /** A poke arrived during the pass: its anomalies may have missed the pass's sweep. */
  #pokedDuringPass = false;

  constructor(deps: AlertDispatcherDeps) {
    this.#deps = deps;
  }

  async poke(): Promise<void> {
    if (this.#pass) this.#pokedDuringPass = true;
    else await this.#arm(Date.now());
  }

  /**
   * One delivery pass, then the alarm for the next delivery due. The pass runs at `dueAtMs`,
   * the time the alarm was set for (or now, if later): an alarm stands for its time having
   * come, which is also what a test's `runDurableObjectAlarm` means.
   */
  alarm(dueAtMs: number): Promise<DispatchReport> {
    this.#pass ??= this.#deliver(dueAtMs).finally(() => {
      this.#pass = undefined;
    });
    return this.#pass;
  }

  async #deliver(dueAtMs: number): Promise<DispatchReport> {
    this.#pokedDuringPass = false;
    const report = await this.#deps.runtime.runPromise(
      Effect.gen(function* () {
        const settings = (yield* AppConfig).alerts;
        const sinks = yield* configuredSinks(settings);
        return yield* deliveryPass(sinks, settings, Math.max(Date.now(), dueAtMs));
      }),
    );
    const now = Date.now();
    let next =
      report.error !== undefined
        ? now + WATCHDOG_MS
        : report.next_attempt_at === null
          ? null
          : Date.parse(report.next_attempt_at);
    if (this.#pokedDuringPass) next = Math.min(next ?? now, now);
    // Set, not armed: while its handler runs, a host may still report the alarm that fired.
    if (next !== null) await this.#deps.alarm.set(next);
    return report;
  }

  /** Sets the alarm to `atMs` unless one is set earlier. */
  async #arm(atMs: number): Promise<void> {
    const current = await this.#deps.alarm.at();
    if (current !== null && current <= atMs) return;
    await this.#deps.alarm.set(atMs);
  }
}

/**
 * Pokes the host's dispatcher, once more through a fresh binding if that threw (a Durable
 * Object stub breaks when its object resets). Never throws; gives up after 5 s (the next cron
 * tick pokes again).
 */
export const pokeAlerts = async (actors: ActorBindings): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poke = async () => {
    try {
      await actors.alerts().poke();
    } catch {
      await actors.alerts().poke();
    }
  };
  try {
    await Promise.race([
      poke(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, POKE_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    console.error(
      JSON.stringify({ level: "ERROR", message: "alert poke failed", error: String(error) }),
    );
  } finally {
    clearTimeout(timer);
  }
};
