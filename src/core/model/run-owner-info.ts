/**
 * Who runs a capture, as recorded in `core_manifest.metadata.owner`.
 */

/** The owner of a capture. */
export interface RunOwnerInfo {
  /** `cli`: a Node process; `actor`: a partition actor (Durable Object). */
  readonly kind: "cli" | "actor";
  /** Identifies the owner: host, boot, pid and process start (cli); the object id (actor). */
  readonly id: string;
}
