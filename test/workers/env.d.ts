export {};

declare module "cloudflare:test" {
  // The Worker's generated `Env` (src/worker/worker-configuration.d.ts).
  interface ProvidedEnv extends Env {}
}
