/**
 * `AlertDispatcher`: the one Durable Object (named `alerts`) that delivers alerts from the
 * outbox (`src/alerts/`). Whatever writes anomalies in the Worker pokes it afterwards
 * (partition actors, the replay coordinator, the cron, the resolve route): a poke arms the
 * alarm; each alarm runs one delivery pass (which first queues deliveries for new anomalies)
 * and re-arms itself for the next retry. Every delivery's state lives in libSQL; the object
 * keeps only its alarm.
 */
import { DurableObject } from "cloudflare:workers";
import { Effect } from "effect";
import { type AlertSettings, alertSettingsFromVars } from "../alerts/config";
import { type DispatchReport, deliveryPass } from "../alerts/dispatch";
import { configuredSinks } from "../alerts/sinks";
import { describeUnknown } from "../core/errors";
import type { Env } from "./env";
import { runtimeFor } from "./runtime";

/** After a database failure the alarm tries again this much later. */
const WATCHDOG_MS = 60_000;
/** A poke waits at most this long: alerts never hold up the run that wrote them. */
const POKE_TIMEOUT_MS = 5_000;
/** Storage key: the time the pending alarm stands for (see `alarm`). */
const DUE_KEY = "due";

/** The stub of the dispatcher. */
export const alertDispatcher = (env: Env) =>
  env.ALERT_DISPATCHER.get(env.ALERT_DISPATCHER.idFromName("alerts"));

/** One poke, and once more through a fresh stub if it threw (a stub breaks when its object resets). */
const pokeOnce = async (env: Env) => {
  try {
    await alertDispatcher(env).poke();
  } catch {
    await alertDispatcher(env).poke();
  }
};

/**
 * Asks the dispatcher to deliver alerts for anomalies just written. Never throws; gives up
 * after 5 s (the next cron tick pokes again).
 */
export const pokeAlerts = async (env: Env): Promise<void> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      pokeOnce(env),
      new Promise((resolve) => {
        timer = setTimeout(resolve, POKE_TIMEOUT_MS);
      }),
    ]);
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "alert poke failed",
        error: describeUnknown(error),
      }),
    );
  } finally {
    clearTimeout(timer);
  }
};

export class AlertDispatcher extends DurableObject<Env> {
  /** The pass in flight: an alarm arriving meanwhile joins it. */
  #pass: Promise<DispatchReport> | undefined;

  #settings(): AlertSettings {
    const settings = alertSettingsFromVars(
      this.env as unknown as Readonly<Record<string, string | undefined>>,
    );
    for (const problem of settings.problems) {
      console.error(JSON.stringify({ level: "ERROR", message: `alert settings: ${problem}` }));
    }
    return settings;
  }

  /**
   * Arms the alarm now, so a pass follows at once; its sweep queues what was written. Pokes
   * arriving together share one alarm, and a poke during a pass arms the next one.
   */
  async poke(): Promise<void> {
    await this.#arm(Date.now());
  }

  /**
   * One delivery pass, then the alarm for the next delivery due. The pass runs at the time
   * the alarm was set for (or now, if later): an alarm stands for its time having come,
   * which is also what a test's `runDurableObjectAlarm` means.
   */
  override async alarm(): Promise<void> {
    this.#pass ??= this.#deliver().finally(() => {
      this.#pass = undefined;
    });
    await this.#pass;
  }

  async #deliver(): Promise<DispatchReport> {
    const settings = this.#settings();
    const due = (await this.ctx.storage.get<number>(DUE_KEY)) ?? 0;
    const report = await runtimeFor(this.env).runPromise(
      Effect.flatMap(configuredSinks(settings), (sinks) =>
        deliveryPass(sinks, settings, Math.max(Date.now(), due)),
      ),
    );
    if (report.error !== undefined) await this.#arm(Date.now() + WATCHDOG_MS);
    else if (report.next_attempt_at !== null) await this.#arm(Date.parse(report.next_attempt_at));
    return report;
  }

  /** Sets the alarm to `atMs` unless one is set earlier. */
  async #arm(atMs: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current !== null && current <= atMs) return;
    await this.ctx.storage.put(DUE_KEY, atMs);
    await this.ctx.storage.setAlarm(atMs);
  }
}
