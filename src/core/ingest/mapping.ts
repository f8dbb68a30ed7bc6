/**
 * Field mappings from a source's names to canonical names.
 */

/** `{ sourceField: canonicalField }`. */
export type FieldMapping = Readonly<Record<string, string>>;

/**
 * Renames the mapped fields of a raw record and adds `fixed` fields. Unmapped source
 * fields are dropped; values are passed through untouched so contracts judge the raw value.
 */
export const mapFields = (
  raw: unknown,
  mapping: FieldMapping,
  fixed: Readonly<Record<string, unknown>> = {},
): Readonly<Record<string, unknown>> | undefined => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = { ...fixed };
  for (const [from, to] of Object.entries(mapping)) {
    if (Object.hasOwn(record, from)) out[to] = record[from];
  }
  return out;
};
