/**
 * Anomaly injection for the demo feed: scripted departures from the clean bars, so the
 * detectors have something real to find end to end.
 *
 * - `volume_spike`: the bar of `symbol` on `date` trades `factor` × its volume;
 * - `missing_bar`: the feed has no bar for `symbol` on `date` (a gap in the series).
 *
 * Set at run time with `POST /__anomalies` `{"anomalies":[…]}` on the demo feed server.
 */
import * as Either from "effect/Either";
import { parseIsoDate } from "../../calendar/dates";
import type { PolygonAggBar } from "./polygon-format";

export type DemoAnomaly =
  | {
      readonly kind: "volume_spike";
      readonly symbol: string;
      readonly date: string;
      readonly factor: number;
    }
  | { readonly kind: "missing_bar"; readonly symbol: string; readonly date: string };

/** The bar as served after the injections of its symbol and date (undefined: dropped). */
export const applyDemoAnomalies = (
  bar: PolygonAggBar,
  symbol: string,
  date: string,
  anomalies: ReadonlyArray<DemoAnomaly>,
): PolygonAggBar | undefined => {
  let out: PolygonAggBar | undefined = bar;
  for (const a of anomalies) {
    if (out === undefined || a.symbol !== symbol || a.date !== date) continue;
    if (a.kind === "missing_bar") out = undefined;
    else {
      const v = Math.max(1, Math.round(out.v * a.factor));
      out = { ...out, v, n: Math.max(1, Math.round(out.n * a.factor)) };
    }
  }
  return out;
};

/** Reads `{"anomalies":[{"kind","symbol","date","factor"?}, …]}`. */
export const parseDemoAnomalies = (
  input: unknown,
): Either.Either<ReadonlyArray<DemoAnomaly>, string> => {
  if (
    typeof input !== "object" ||
    input === null ||
    !Array.isArray((input as { anomalies?: unknown }).anomalies)
  ) {
    return Either.left('body must be {"anomalies":[…]}');
  }
  const out: Array<DemoAnomaly> = [];
  for (const [i, raw] of (input as { anomalies: ReadonlyArray<unknown> }).anomalies.entries()) {
    const a = raw as Readonly<Record<string, unknown>>;
    const where = `anomalies[${i}]`;
    if (typeof a !== "object" || a === null) return Either.left(`${where} must be an object`);
    if (typeof a.symbol !== "string" || !/^[A-Z0-9.]{1,16}$/.test(a.symbol)) {
      return Either.left(`${where}.symbol must be an upper-case ticker`);
    }
    if (typeof a.date !== "string" || parseIsoDate(a.date) === undefined) {
      return Either.left(`${where}.date must be YYYY-MM-DD`);
    }
    if (a.kind === "missing_bar") out.push({ kind: "missing_bar", symbol: a.symbol, date: a.date });
    else if (a.kind === "volume_spike") {
      const factor = a.factor ?? 10;
      if (typeof factor !== "number" || !(factor > 0) || factor > 1000) {
        return Either.left(`${where}.factor must be a number in (0, 1000]`);
      }
      out.push({ kind: "volume_spike", symbol: a.symbol, date: a.date, factor });
    } else return Either.left(`${where}.kind must be volume_spike or missing_bar`);
  }
  return Either.right(out);
};
