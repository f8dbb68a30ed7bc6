/**
 * A canonical record: one output row as replays and reconciliation compare it.
 */

/** One output row without its audit columns, under the table's column names. */
export type CanonicalRecord = Readonly<Record<string, string | number | boolean | null>>;
