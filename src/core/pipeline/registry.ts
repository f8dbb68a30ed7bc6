/**
 * A named registry (`PIPELINES`, `SOURCES`, `DETECTORS`, …): the only way the framework finds
 * domain code, so adapters never import a domain module directly.
 */
export class Registry<T extends { readonly name: string }> {
  readonly #entries = new Map<string, T>();

  constructor(readonly kind: string) {}

  /** Adds an entry; a second entry with the same name is a programming error. */
  register(entry: T): this {
    if (this.#entries.has(entry.name)) {
      throw new Error(`${this.kind} "${entry.name}" is already registered`);
    }
    this.#entries.set(entry.name, entry);
    return this;
  }

  /** The entry of that name, if any. */
  get(name: string): T | undefined {
    return this.#entries.get(name);
  }

  /** Every entry, in registration order. */
  list(): ReadonlyArray<T> {
    return [...this.#entries.values()];
  }

  /** Every name, in registration order. */
  names(): ReadonlyArray<string> {
    return [...this.#entries.keys()];
  }
}
