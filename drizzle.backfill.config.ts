import { defineConfig } from "drizzle-kit";

/** BackfillCoordinator's Durable Object SQLite schema → `migrations/backfill` (bundled). */
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/db/backfill-schema.ts",
  out: "./migrations/backfill",
});
