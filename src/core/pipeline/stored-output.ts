/**
 * The output hash of a partition as its table holds it: what the runner records after a
 * capture (`metadata.output`) and reconciliation compares a replay with. A pipeline that
 * reads its stored output in pages (`ReplayMode.storedPage`) is hashed page by page, in
 * bounded memory; the others, and pages that turn out not to be in canonical order, from one
 * full read (`ReplayMode.stored`). The hash is the same either way.
 */
import * as Effect from "effect/Effect";
import type { CanonicalRecord } from "../model/canonical-record";
import type { PartitionKey } from "../model/ids";
import type { CaptureOutput } from "../store/manifest";
import { OutputDigest } from "./output-digest";
import type { ReplayMode, StoredPage } from "./pipeline";

/** Table rows per page of a stored partition: a response of a few MB at most. */
export const STORED_PAGE_ROWS = 5_000;

/** One page of a stored partition, from `after`, of at most `limit` table rows. */
export type PageReader<E, R> = (
  after: string | undefined,
  limit: number,
) => Effect.Effect<StoredPage, E, R>;

/** Every record of a paged partition, page after page (one page for a small partition). */
export const readAllPages = <E, R>(page: PageReader<E, R>, limit = STORED_PAGE_ROWS) =>
  Effect.gen(function* () {
    const records: Array<CanonicalRecord> = [];
    let after: string | undefined;
    do {
      const next = yield* page(after, limit);
      for (const record of next.records) records.push(record);
      after = next.next;
    } while (after !== undefined);
    return records as ReadonlyArray<CanonicalRecord>;
  });

/**
 * The hash of a paged partition fed page by page, or undefined when its pages were not in
 * canonical order (or the pipeline has no paged reader): then only a full read can hash it.
 */
export const pagedOutput = (
  replay: ReplayMode,
  partition: PartitionKey,
  limit = STORED_PAGE_ROWS,
) =>
  Effect.gen(function* () {
    const page = replay.storedPage;
    if (page === undefined) return undefined;
    const digest = (yield* OutputDigest).streaming(replay.key);
    let after: string | undefined;
    do {
      const next = yield* page(partition, after, limit);
      if (!digest.add(next.records)) return undefined;
      after = next.next;
    } while (after !== undefined);
    return digest.result();
  });

/** The partition's stored output hash; see the module doc. */
export const storedOutput = (
  replay: ReplayMode,
  partition: PartitionKey,
  limit = STORED_PAGE_ROWS,
) =>
  Effect.gen(function* () {
    const paged = yield* pagedOutput(replay, partition, limit);
    if (paged !== undefined) return paged;
    if (replay.storedPage !== undefined) {
      yield* Effect.logInfo("stored output not in canonical order: hashed from a full read", {
        partition,
      });
    }
    const digest = yield* OutputDigest;
    return digest.ofStored(replay.key, yield* replay.stored(partition)) satisfies CaptureOutput;
  }).pipe(Effect.withSpan("StoredOutput.hash", { attributes: { partition } }));
