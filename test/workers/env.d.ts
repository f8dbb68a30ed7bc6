export {};

declare module "cloudflare:test" {
  // The Worker's generated `Env` (src/worker/worker-configuration.d.ts).
  interface ProvidedEnv extends Env {
    /** A libSQL endpoint of its own, for the tests that count a run's requests. */
    readonly COUNTED_LIBSQL_URL: string;
  }
}
