import { defineConfig } from "drizzle-kit";

/** libSQL schema → `migrations/libsql` (applied by the CLI, `npm run dev` and tests). */
export default defineConfig({
  dialect: "turso",
  schema: "./src/db/schema/index.ts",
  out: "./migrations/libsql",
  dbCredentials: { url: process.env.LIBSQL_URL ?? "file:.dataspine/dataspine.db" },
});
