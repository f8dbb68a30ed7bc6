/**
 * The shared relational schema (sqlite-core), served by libSQL (embedded file or server).
 *
 * Decimal columns are TEXT holding canonical exact decimals (see `core/model/decimal.ts`);
 * timestamps are ISO-8601 UTC text; JSON columns hold UTF-8 JSON text.
 * Change it only together with a new drizzle-kit migration (`npm run db:generate`).
 */
export { coreAlertDeliveries } from "./alerts";
export * from "./core";
export * from "./finra-otc";
// The Deno host's own tables (actors, alarms, coordinators), migrated with the rest.
export * from "./host";
export * from "./market-data";
export { coreSeriesPoints } from "./series-points";
export { coreOperations, corePartitionCounts } from "./status";
export * from "./trade-data";
