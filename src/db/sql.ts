/**
 * Small SQL helpers shared by the stores.
 */
import type { InValue } from "@libsql/client";
import { type SQL, sql } from "drizzle-orm";

/** `excluded.<column>` inside `ON CONFLICT … DO UPDATE SET`. */
export const excluded = (column: string): SQL => sql.raw(`excluded."${column.replace(/"/g, "")}"`);

/** A drizzle query as the statement `@libsql/client` runs (its SQL text and bound values). */
export const statementOf = (query: {
  toSQL(): { readonly sql: string; readonly params: ReadonlyArray<unknown> };
}): { readonly sql: string; readonly args: Array<InValue> } => {
  const { sql: text, params } = query.toSQL();
  return { sql: text, args: params as Array<InValue> };
};
