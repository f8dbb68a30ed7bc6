/**
 * The `core_*` stores as one set: `CoreStoresLibsql` over the `Db` of a composition root
 * (Node, Worker, Deno host), `CoreStores` the services it provides.
 */
import * as Layer from "effect/Layer";
import type { Db } from "../../db/db";
import { Anomalies } from "./anomalies";
import { CalcDependencies } from "./calc-dependencies";
import { DeadLetters } from "./dead-letters";
import { Manifest } from "./manifest";
import { Operations } from "./operations";
import { PartitionGrid } from "./partition-grid";
import { Quarantine } from "./quarantine";
import { Readiness } from "./readiness";
import { WorkflowRuns } from "./workflow-runs";

/** Every store of the framework's tables. */
export type CoreStores =
  | Manifest
  | DeadLetters
  | Quarantine
  | Anomalies
  | Readiness
  | WorkflowRuns
  | Operations
  | PartitionGrid
  | CalcDependencies;

/** The stores over libSQL (needs `Db`). */
export const CoreStoresLibsql: Layer.Layer<CoreStores, never, Db> = Layer.mergeAll(
  Manifest.Default,
  DeadLetters.Default,
  Quarantine.Default,
  Anomalies.Default,
  Readiness.Default,
  WorkflowRuns.Default,
  Operations.Default,
  PartitionGrid.Default,
  CalcDependencies.Default,
);

/** What the write path of a run may use: the database and the core stores. */
export type StoreServices = Db | CoreStores;
