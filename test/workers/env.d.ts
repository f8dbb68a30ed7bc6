import type { Env } from "../../src/worker/env";

declare module "cloudflare:test" {
  interface ProvidedEnv extends Env {}
}
