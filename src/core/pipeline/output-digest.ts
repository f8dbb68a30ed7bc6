/**
 * The `OutputDigest` service: the hash of a partition's stored canonical output, which the
 * runner records in the manifest (`metadata.output`) right after a capture and a replay must
 * reproduce. Reconciliation (`src/reconciliation/canonical.ts`) provides it.
 */
import * as Context from "effect/Context";
import type { CanonicalRecord } from "../model/canonical-record";
import type { CaptureOutput } from "../store/manifest";

/**
 * A digest fed records in canonical order, a page at a time: its result is `ofStored` of all
 * of them, in bounded memory.
 */
export interface OutputDigestStream {
  /**
   * Adds the records that follow those added so far. False when one of them is out of
   * canonical order: the digest is then unusable and the caller hashes a full read instead.
   */
  readonly add: (records: ReadonlyArray<CanonicalRecord>) => boolean;
  /** The digest of everything added; call once, after the last page. */
  readonly result: () => CaptureOutput;
}

export interface OutputDigestShape {
  /** The digest of `rows` in canonical order by `key`. */
  readonly ofStored: (
    key: ReadonlyArray<string>,
    rows: ReadonlyArray<CanonicalRecord>,
  ) => CaptureOutput;
  /** A digest of records that arrive in canonical order by `key` (see `OutputDigestStream`). */
  readonly streaming: (key: ReadonlyArray<string>) => OutputDigestStream;
}

/** Hashes a partition's canonical output. */
export class OutputDigest extends Context.Tag("dataspine/OutputDigest")<
  OutputDigest,
  OutputDigestShape
>() {}
