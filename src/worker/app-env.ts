/**
 * What the HTTP app and the cron need from their host, whichever it is: the host's variables
 * (wrangler.toml `[vars]` and secrets on Workers, the process environment on Deno), read as
 * `AppConfig`, and `ACTORS`, the way to reach partition actors and coordinators. Nothing here
 * is Cloudflare-specific, so Deno loads the same app.
 */
import type { ActorBindings } from "../actors/contract";
import {
  type AppConfigShape,
  type ConfigVars,
  InvalidConfig,
  readAppConfig,
} from "../core/config/app-config";

/** The Hono app's bindings: the host's variables and its actors. */
export interface AppEnv {
  /** Every setting comes from here through `AppConfig` (docs/configuration.md). */
  readonly VARS: ConfigVars;
  readonly ACTORS: ActorBindings;
}

const settings = new WeakMap<ConfigVars, AppConfigShape | InvalidConfig>();

/**
 * The settings of `vars`, read once per variables object. Throws `InvalidConfig` (naming the
 * variable) when one does not parse: on Workers, at the first request that needs them.
 */
export const settingsOf = (vars: ConfigVars): AppConfigShape => {
  let read = settings.get(vars);
  if (read === undefined) {
    const either = readAppConfig(vars);
    read = either._tag === "Right" ? either.right : either.left;
    settings.set(vars, read);
  }
  if (read instanceof InvalidConfig) throw read;
  return read;
};
