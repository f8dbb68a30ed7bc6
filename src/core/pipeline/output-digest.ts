/**
 * The `OutputDigest` service: the hash of a partition's stored canonical output, which the
 * runner records in the manifest (`metadata.output`) right after a capture and a replay must
 * reproduce. Reconciliation (`src/reconciliation/canonical.ts`) provides it.
 */
import * as Context from "effect/Context";
import type { CanonicalRecord } from "../model/canonical-record";
import type { CaptureOutput } from "../store/manifest";

export interface OutputDigestShape {
  /** The digest of `rows` in canonical order by `key`. */
  readonly ofStored: (
    key: ReadonlyArray<string>,
    rows: ReadonlyArray<CanonicalRecord>,
  ) => CaptureOutput;
}

/** Hashes a partition's canonical output. */
export class OutputDigest extends Context.Tag("dataspine/OutputDigest")<
  OutputDigest,
  OutputDigestShape
>() {}
