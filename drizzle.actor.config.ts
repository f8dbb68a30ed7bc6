import { defineConfig } from "drizzle-kit";

/** PartitionActor's Durable Object SQLite schema → `migrations/actor` (bundled into the Worker). */
export default defineConfig({
  dialect: "sqlite",
  driver: "durable-sqlite",
  schema: "./src/db/actor-schema.ts",
  out: "./migrations/actor",
});
