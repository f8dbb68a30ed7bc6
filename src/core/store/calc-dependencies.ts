/**
 * `core_calc_dependencies`: the calculation DAG as stored, one row per edge (`calc_id` depends
 * on `depends_on_calc_id`). The runner keeps it equal to the registry's declarations and reads
 * a calculation's dependencies from it.
 */
import * as Effect from "effect/Effect";
import { Db, dbTryOn } from "../../db/db";
import { coreCalcDependencies } from "../../db/schema/core";

/** One edge: `calcId` depends on `dependsOnCalcId`. */
export interface CalcEdge {
  readonly calcId: string;
  readonly dependsOnCalcId: string;
}

/** The key of an edge (what the table's primary key holds). */
export const edgeKey = (e: CalcEdge) => `${e.calcId}\u0000${e.dependsOnCalcId}`;

/** What makes `stored` equal `declared`: edges to add and edges to remove. */
export const edgeChanges = (stored: ReadonlyArray<CalcEdge>, declared: ReadonlyArray<CalcEdge>) => {
  const want = new Set(declared.map(edgeKey));
  const have = new Set(stored.map(edgeKey));
  return {
    add: declared.filter((e) => !have.has(edgeKey(e))),
    remove: stored.filter((e) => !want.has(edgeKey(e))),
  };
};

/** The stored calculation DAG. */
export class CalcDependencies extends Effect.Service<CalcDependencies>()(
  "dataspine/CalcDependencies",
  {
    effect: Effect.map(Db, (db) => {
      const run = dbTryOn(db);
      const list = run("calcDependencies.list", (d) => d.select().from(coreCalcDependencies)).pipe(
        Effect.map(
          (rows): ReadonlyArray<CalcEdge> =>
            rows.map((r) => ({ calcId: r.calcId, dependsOnCalcId: r.dependsOnCalcId })),
        ),
      );
      return {
        /** Every stored edge. */
        list,
        /** Adds the edges missing from `edges` and removes those not in it, in one batch. */
        sync: (edges: ReadonlyArray<CalcEdge>) =>
          Effect.gen(function* () {
            const { add, remove } = edgeChanges(yield* list, edges);
            if (add.length === 0 && remove.length === 0) return;
            yield* run("calcDependencies.sync", (_, client) =>
              client.batch(
                [
                  ...remove.map((e) => ({
                    sql: "DELETE FROM core_calc_dependencies WHERE calc_id = ? AND depends_on_calc_id = ?",
                    args: [e.calcId, e.dependsOnCalcId],
                  })),
                  ...add.map((e) => ({
                    sql: "INSERT OR IGNORE INTO core_calc_dependencies (calc_id, depends_on_calc_id) VALUES (?, ?)",
                    args: [e.calcId, e.dependsOnCalcId],
                  })),
                ],
                "write",
              ),
            );
          }),
      };
    }),
    accessors: true,
  },
) {}
