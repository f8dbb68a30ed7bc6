/**
 * Polygon's daily-aggregates response, as the demo feed serves it.
 */

/** One daily aggregate exactly as Polygon's `/v2/aggs` returns it (keys in Polygon's order). */
export interface PolygonAggBar {
  readonly v: number;
  readonly vw: number;
  readonly o: number;
  readonly c: number;
  readonly h: number;
  readonly l: number;
  readonly t: number;
  readonly n: number;
}

/** Body of Polygon's `/v2/aggs/ticker/{t}/range/1/day/{from}/{to}`; no `results` when empty. */
export interface PolygonAggsResponse {
  readonly ticker: string;
  readonly queryCount: number;
  readonly resultsCount: number;
  readonly adjusted: true;
  readonly results?: ReadonlyArray<PolygonAggBar>;
  readonly status: "OK";
  readonly request_id: string;
  readonly count: number;
}
