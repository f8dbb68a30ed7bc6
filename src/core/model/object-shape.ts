/**
 * `objectShape`: a template object whose copies (`{ ...shape }`) get every property at once,
 * inside the object. `JSON.parse` lays an object's properties out in-object, so a copy is one
 * allocation; an object built key by key (`Object.fromEntries`) keeps all but its first four
 * in a separate property array, which every copy allocates too (and which is slower to fill:
 * 2.6× in a micro-measurement of 1M copies of nine properties).
 */

/** An object with `keys` in order, each set to `value` (JSON-representable). */
export const objectShape = <V>(
  keys: ReadonlyArray<string>,
  value: V,
): Readonly<Record<string, V>> =>
  JSON.parse(JSON.stringify(Object.fromEntries(keys.map((k) => [k, value])))) as Readonly<
    Record<string, V>
  >;
