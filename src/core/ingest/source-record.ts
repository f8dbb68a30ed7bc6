/**
 * `SourceRecord`: one record as a parser hands it to a source (JSON, or a delimited row mapped
 * against its header), before mapping.
 */

/** One record as parsed, before mapping. */
export interface SourceRecord {
  /** Line number (delimited text, 1-based, header = line 1) or array index (JSON, 0-based). */
  readonly index: number;
  /** The record as received: its line(s), or its JSON text. Kept whole in quarantine. */
  readonly raw: string;
  /** Field values under the source's own names. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Structural violations found by the parser (`MALFORMED_ROW: …`); any ⇒ quarantined. */
  readonly problems: ReadonlyArray<string>;
}
