/**
 * Small SQL helpers shared by the stores.
 */
import { type SQL, sql } from "drizzle-orm";

/** `excluded.<column>` inside `ON CONFLICT … DO UPDATE SET`. */
export const excluded = (column: string): SQL => sql.raw(`excluded."${column.replace(/"/g, "")}"`);
