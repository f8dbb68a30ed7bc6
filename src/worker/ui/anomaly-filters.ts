/**
 * The anomalies page's query, decoded as `GET /anomalies` decodes its own: severity (ours or
 * the seed's names, a minimum), rule (the `rule` column), category (the seed's four words),
 * pipeline and unresolved. A bad severity or category is `InvalidRequest`.
 */

import {
  type AnomalyCategory,
  type AnomalySeverity,
  CATEGORIES,
  parseCategory,
  parseSeverity,
  SEVERITY_NAMES,
} from "../../core/model/anomaly-vocabulary";
import type { AnomalyFilter } from "../../core/store/anomalies";
import { InvalidRequest } from "../http-errors";
import type { AnomalyFilters } from "./views/anomalies";

/** The page's query parameters, as Hono reads them. */
export type QueryOf = (name: string) => string | undefined;

const named = <A>(
  name: string,
  text: string,
  parse: (t: string) => A | undefined,
  names: ReadonlyArray<string>,
): A | undefined => {
  if (text.trim() === "") return undefined;
  const value = parse(text);
  if (value === undefined) {
    throw new InvalidRequest({ message: `${name} must be one of ${names.join(", ")}` });
  }
  return value;
};

/** The listing's filter and the form's values (the stored severity a seed name means). */
export const anomalyFilters = (
  query: QueryOf,
): { readonly filter: AnomalyFilter; readonly form: AnomalyFilters } => {
  const severity: AnomalySeverity | undefined = named(
    "severity",
    query("severity") ?? "",
    parseSeverity,
    SEVERITY_NAMES,
  );
  const category: AnomalyCategory | undefined = named(
    "category",
    query("category") ?? "",
    parseCategory,
    CATEGORIES,
  );
  const rule = (query("rule") ?? "").trim().toUpperCase();
  const pipeline = query("pipeline") ?? "";
  const unresolved = query("unresolved") === "true";
  return {
    filter: {
      ...(severity ? { severity } : {}),
      ...(category ? { category } : {}),
      ...(rule ? { rule } : {}),
      ...(pipeline ? { pipeline } : {}),
      ...(unresolved ? { unresolved } : {}),
    },
    form: { severity: severity ?? "", category: category ?? "", rule, pipeline, unresolved },
  };
};
