/**
 * `AlertDispatcher`: the one Durable Object (named `alerts`) that delivers the alert outbox, a
 * thin shell around `AlertDispatcherCore` (`src/actors/`) with the object's alarm as its alarm.
 */
import { DurableObject } from "cloudflare:workers";
import { AlertDispatcherCore } from "../actors/alert-dispatcher-core";
import type { AlertDispatcherApi } from "../actors/contract";
import { appEnvOf } from "./actors";
import { actorRuntime } from "./runtime";

/** Storage key: the time the pending alarm stands for (the core's `alarm(dueAtMs)`). */
const DUE_KEY = "due";

export class AlertDispatcher extends DurableObject<Env> implements AlertDispatcherApi {
  readonly #core: AlertDispatcherCore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#core = new AlertDispatcherCore({
      runtime: actorRuntime(appEnvOf(env).VARS),
      alarm: {
        at: () => ctx.storage.getAlarm(),
        set: async (atMs) => {
          await ctx.storage.put(DUE_KEY, atMs);
          await ctx.storage.setAlarm(atMs);
        },
      },
    });
  }

  /** Anomalies may have been written: arms the alarm now. */
  poke(): Promise<void> {
    return this.#core.poke();
  }

  /** One delivery pass at the alarm's time, then the alarm for the next delivery due. */
  override async alarm(): Promise<void> {
    await this.#core.alarm((await this.ctx.storage.get<number>(DUE_KEY)) ?? 0);
  }
}
