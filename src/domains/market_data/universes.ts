/**
 * Named symbol universes: the sets of tickers a market-data pipeline run covers.
 */

/** Universe name → its tickers (upper-case, as the vendor spells them), in a stable order. */
export const UNIVERSES: Readonly<Record<string, ReadonlyArray<string>>> = {
  /** Twenty large, liquid US listings across sectors; the default for demos and tests. */
  demo: [
    "AAPL",
    "MSFT",
    "NVDA",
    "AMZN",
    "GOOGL",
    "META",
    "TSLA",
    "JPM",
    "V",
    "XOM",
    "JNJ",
    "PG",
    "KO",
    "PEP",
    "WMT",
    "BAC",
    "DIS",
    "NFLX",
    "INTC",
    "CSCO",
  ],
};

/** The tickers of a named universe, or `undefined` when no universe has that name. */
export function universeSymbols(name: string): ReadonlyArray<string> | undefined {
  // Own-property check so names like "toString" or "__proto__" never resolve.
  return Object.hasOwn(UNIVERSES, name) ? UNIVERSES[name] : undefined;
}
