/**
 * `core_calc_dependencies`: the calculation DAG. A pipeline declares the calculations it
 * depends on (`Pipeline.dependsOn`, same partition key); the declarations are kept in the
 * table, the runner refuses a calculation whose dependencies are not ready
 * (`core_data_readiness`), and `topologicalOrder` orders a set of calculations so every one
 * runs after what it depends on.
 */
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { TaggedHttpError } from "../model/tagged-http-error";
import { CalcDependencies, type CalcEdge } from "../store/calc-dependencies";
import { isReady } from "../store/readiness";
import type { Pipeline } from "./pipeline";
import type { Registry } from "./registry";

/** A calculation was asked to run before the calculations it depends on were ready. */
export class DependenciesNotReady extends TaggedHttpError<DependenciesNotReady>()(
  "DependenciesNotReady",
  409,
  { pipeline: Schema.String, partition: Schema.String, missing: Schema.Array(Schema.String) },
) {}

/** The DAG has a cycle or names a calculation that is not registered. */
export class InvalidCalcGraph extends TaggedHttpError<InvalidCalcGraph>()(
  "InvalidCalcGraph",
  500,
) {}

export type { CalcEdge } from "../store/calc-dependencies";

/** Every edge the registry declares, sorted. */
export const declaredEdges = (registry: Registry<Pipeline>): ReadonlyArray<CalcEdge> =>
  registry
    .list()
    .flatMap((p) => (p.dependsOn ?? []).map((d) => ({ calcId: p.name, dependsOnCalcId: d })))
    .sort((a, b) =>
      a.calcId === b.calcId
        ? a.dependsOnCalcId.localeCompare(b.dependsOnCalcId)
        : a.calcId.localeCompare(b.calcId),
    );

/**
 * Orders `calcIds` (and nothing else) so that each comes after its dependencies, ties broken
 * by name: the same set always gives the same order. Fails on a cycle.
 */
export const topologicalOrder = (
  edges: ReadonlyArray<CalcEdge>,
  calcIds: ReadonlyArray<string>,
): Effect.Effect<ReadonlyArray<string>, InvalidCalcGraph> => {
  const wanted = new Set(calcIds);
  const deps = new Map<string, Set<string>>([...wanted].map((id) => [id, new Set<string>()]));
  for (const e of edges) {
    if (wanted.has(e.calcId) && wanted.has(e.dependsOnCalcId)) {
      deps.get(e.calcId)?.add(e.dependsOnCalcId);
    }
  }
  const order: Array<string> = [];
  const done = new Set<string>();
  while (order.length < wanted.size) {
    const next = [...wanted]
      .filter((id) => !done.has(id) && [...(deps.get(id) ?? [])].every((d) => done.has(d)))
      .sort();
    const first = next[0];
    if (first === undefined) {
      const stuck = [...wanted].filter((id) => !done.has(id)).sort();
      return Effect.fail(
        new InvalidCalcGraph({ message: `dependency cycle among ${stuck.join(", ")}` }),
      );
    }
    order.push(first);
    done.add(first);
  }
  return Effect.succeed(order);
};

/** Checks that every declared dependency is registered and that the DAG has no cycle. */
export const validateCalcGraph = (registry: Registry<Pipeline>) =>
  Effect.gen(function* () {
    const edges = declaredEdges(registry);
    const unknown = edges.filter((e) => registry.get(e.dependsOnCalcId) === undefined);
    if (unknown.length > 0) {
      return yield* new InvalidCalcGraph({
        message: `unregistered dependencies: ${unknown.map((e) => `${e.calcId} → ${e.dependsOnCalcId}`).join(", ")}`,
      });
    }
    return yield* topologicalOrder(edges, registry.names());
  });

/**
 * Writes the registry's declarations into `core_calc_dependencies`: adds missing edges and
 * removes edges no longer declared, so the table always equals the code.
 */
export const syncCalcDependencies = (registry: Registry<Pipeline>) =>
  CalcDependencies.sync(declaredEdges(registry));

/** The stored edges (what `core_calc_dependencies` says). */
export const storedEdges = CalcDependencies.list;

/**
 * Fails with `DependenciesNotReady` unless every calculation `pipeline` depends on (per
 * `core_calc_dependencies`, kept in step with the registry) is ready for `partition`.
 */
export const requireDependenciesReady = (
  registry: Registry<Pipeline>,
  pipeline: Pipeline,
  partition: string,
) =>
  Effect.gen(function* () {
    if ((pipeline.dependsOn ?? []).length === 0) return;
    yield* syncCalcDependencies(registry);
    const edges = (yield* storedEdges).filter((e) => e.calcId === pipeline.name);
    const missing: Array<string> = [];
    for (const edge of edges) {
      const dep = registry.get(edge.dependsOnCalcId);
      const ready = dep ? yield* isReady(dep.domain, dep.stage, partition) : false;
      if (!ready) missing.push(edge.dependsOnCalcId);
    }
    if (missing.length > 0) {
      return yield* new DependenciesNotReady({
        pipeline: pipeline.name,
        partition,
        missing,
        message: `${pipeline.name} needs ${missing.join(", ")} ready for ${partition} first`,
      });
    }
  });
