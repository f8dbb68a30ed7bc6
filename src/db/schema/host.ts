/**
 * The in-process actor host's tables in libSQL (the Deno host, `src/host/`).
 *
 * Durable Objects keep this state in their own SQLite; the host keeps it in the shared
 * database instead, keyed by the actor's name. `host_partition_state` / `host_partition_runs`
 * have the columns of the Durable Object's `partition_state` / `partition_runs` plus the key;
 * `host_alarms` is every actor's durable alarm, polled by the host; `host_kv` is a replay
 * coordinator's key-value storage; `host_backfills` / `host_backfill_partitions` mirror a
 * backfill coordinator's `backfill` / `backfill_partitions`. The shared columns are declared
 * once, in `actor-columns.ts`.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import {
  backfillColumns,
  backfillPartitionColumns,
  partitionRunColumns,
  partitionStateColumns,
} from "../actor-columns";

/** One row per `pipeline + partition key`: the actor's current state. */
export const hostPartitionState = sqliteTable(
  "host_partition_state",
  { ...partitionStateColumns },
  (t) => [
    primaryKey({ columns: [t.pipeline, t.partitionKey] }),
    index("host_partition_state_status_idx").on(t.status),
  ],
);

/** Every run of every partition the host ran. */
export const hostPartitionRuns = sqliteTable(
  "host_partition_runs",
  {
    executionId: text("execution_id").primaryKey(),
    pipeline: text("pipeline").notNull(),
    partitionKey: text("partition_key").notNull(),
    ...partitionRunColumns,
  },
  (t) => [index("host_partition_runs_partition_idx").on(t.pipeline, t.partitionKey, t.startedAt)],
);

/**
 * Durable alarms, one per actor (as a Durable Object has one): `kind` says which handler
 * runs it (`partition`, `backfill`, `replay`, …), `name` which instance.
 */
export const hostAlarms = sqliteTable(
  "host_alarms",
  {
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** Epoch milliseconds. */
    dueAt: integer("due_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name] }), index("host_alarms_due_idx").on(t.dueAt)],
);

/** Key-value storage of an actor (`owner`), values as JSON text. */
export const hostKv = sqliteTable(
  "host_kv",
  {
    owner: text("owner").notNull(),
    key: text("key").notNull(),
    value: text("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.owner, t.key] })],
);

/** A backfill's request and overall status (the coordinator's `backfill` row). */
export const hostBackfills = sqliteTable("host_backfills", {
  backfillId: text("backfill_id").primaryKey(),
  ...backfillColumns,
});

/** One planned partition of a backfill (the coordinator's `backfill_partitions` row). */
export const hostBackfillPartitions = sqliteTable(
  "host_backfill_partitions",
  {
    backfillId: text("backfill_id").notNull(),
    ordinal: integer("ordinal").notNull(),
    partitionKey: text("partition_key").notNull(),
    ...backfillPartitionColumns,
  },
  (t) => [
    primaryKey({ columns: [t.backfillId, t.ordinal] }),
    index("host_backfill_partitions_status_idx").on(t.backfillId, t.status, t.ordinal),
  ],
);
