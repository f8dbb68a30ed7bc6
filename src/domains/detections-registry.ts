/**
 * `TABLE_DETECTIONS`: which detectors run on which canonical table, whatever run writes it (a
 * pipeline, a `dataspine ingest` of a file or URL, a backfill, an HTTP-triggered run). Sources
 * attach their target's detection; `normalize_week` runs the venue-volume one itself;
 * `market_data.ingest_prices` runs its partition-aware step (`market_data/detection.ts`).
 */

import type { TableDetection } from "../core/ingest/source";
import { Registry } from "../core/pipeline/registry";
import { venueVolumeTableDetection } from "./finra_otc/detection";
import { dailyBarTableDetection } from "./market_data/bar-detection";
import { quoteTableDetection } from "./market_data/quote-detection";
import { tradeTableDetection } from "./trade_data/detection";

/** A table's detection with its row type erased, as the registry holds it. */
// biome-ignore lint/suspicious/noExplicitAny: the registry is heterogeneous by design
export type AnyTableDetection = TableDetection<any>;

/** Every canonical table's detection, by table name. */
export const TABLE_DETECTIONS = new Registry<AnyTableDetection>("table detection")
  .register(dailyBarTableDetection)
  .register(quoteTableDetection)
  .register(tradeTableDetection)
  .register(venueVolumeTableDetection);
