/**
 * `AnomaliesTest`: the `Anomalies` store over the in-memory `core_anomalies` of
 * `StoreMemory`: same ids, the first detection time kept on re-detection, a resolved anomaly
 * re-opened, the same filters and order.
 */
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { Anomalies, keyOfRow, toAnomalyRows } from "./anomalies";
import { type AnomalyFilter, severitiesFrom, toAnomalyView } from "./anomaly-view";
import { type AnomalyRow, memoryTry, orderBy, StoreMemory } from "./memory";

const matches = (filter: AnomalyFilter) => {
  const severities = filter.severity ? new Set<string>(severitiesFrom(filter.severity)) : null;
  return (r: AnomalyRow) =>
    (!filter.pipeline || r.pipeline === filter.pipeline) &&
    (severities === null || severities.has(r.severity)) &&
    (!filter.since || r.detectedAt >= filter.since) &&
    (!filter.unresolved || r.resolvedAt === null) &&
    (!filter.rule || r.rule === filter.rule) &&
    (!filter.category || r.category === filter.category) &&
    (!filter.partition || r.partitionKey === filter.partition);
};

/** The in-memory `Anomalies`. */
export const AnomaliesTest = Layer.effect(
  Anomalies,
  Effect.map(StoreMemory, (memory) => {
    const rows = memory.anomalies;
    const view = (id: string) => {
      const row = rows.get(id);
      return row ? toAnomalyView(row) : undefined;
    };
    const resolve = (ids: Iterable<string>, at: string) => {
      let marked = 0;
      for (const id of new Set(ids)) {
        const row = rows.get(id);
        if (row && row.resolvedAt === null) {
          rows.set(id, { ...row, resolvedAt: at });
          marked += 1;
        }
      }
      return marked;
    };
    return Anomalies.make({
      record: (ctx, anomalies) =>
        anomalies.length === 0
          ? Effect.succeed(0)
          : Effect.flatMap(toAnomalyRows(ctx, anomalies), (fresh) =>
              memoryTry(memory, "anomalies.upsert", () => {
                for (const row of fresh) {
                  const old = rows.get(row.anomalyId);
                  rows.set(
                    row.anomalyId,
                    old
                      ? {
                          ...row,
                          domain: old.domain,
                          stage: old.stage,
                          partitionKey: old.partitionKey,
                          rule: old.rule,
                          detectedAt: old.detectedAt,
                        }
                      : row,
                  );
                }
                return fresh.length;
              }),
            ),
      resolveIds: (ids, at) =>
        ids.length === 0
          ? Effect.succeed(0)
          : memoryTry(memory, "anomalies.resolve", () => resolve(ids, at)),
      openKeys: (scope, rule) =>
        memoryTry(memory, "anomalies.openKeys", () =>
          [...rows.values()]
            .filter(
              (r) =>
                r.domain === scope.domain &&
                r.stage === scope.stage &&
                r.partitionKey === scope.partitionKey &&
                r.rule === rule &&
                r.resolvedAt === null,
            )
            .flatMap((r) => keyOfRow(r.metadata) ?? []),
        ),
      list: (filter) =>
        memoryTry(memory, "anomalies.list", () =>
          orderBy(
            [...rows.values()].filter(matches(filter)),
            [(r) => r.detectedAt, "desc"],
            [(r) => r.anomalyId, "asc"],
          )
            .slice(0, filter.limit ?? 100)
            .map(toAnomalyView),
        ),
      get: (id) => memoryTry(memory, "anomalies.get", () => view(id)),
      resolveById: (id, at) =>
        memoryTry(memory, "anomalies.resolveById", () => resolve([id], at)).pipe(
          Effect.zipRight(memoryTry(memory, "anomalies.get", () => view(id))),
        ),
      countUnresolved: (cap) =>
        memoryTry(memory, "anomalies.countUnresolved", () =>
          Math.min(cap, [...rows.values()].filter((r) => r.resolvedAt === null).length),
        ),
      byId: (ids) =>
        memoryTry(memory, "anomalies.byId", () => {
          const found = new Map<string, ReturnType<typeof toAnomalyView>>();
          for (const id of ids) {
            const row = rows.get(id);
            if (row) found.set(id, toAnomalyView(row));
          }
          return found;
        }),
    });
  }),
);
