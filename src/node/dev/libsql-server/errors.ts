/**
 * Hrana errors: the two ways a request can fail (the whole HTTP request, or one statement)
 * and the mapping of anything thrown to the JSON error shape.
 */

/** An error as it travels in JSON. */
export interface ProtoError {
  readonly message: string;
  readonly code: string;
}

/**
 * A request the client should never send (bad JSON, unknown baton, missing `sql_id`...).
 * It fails the whole HTTP request and closes the stream, like sqld.
 */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = "PROTOCOL_ERROR",
    readonly status = 400,
  ) {
    super(message);
  }
}

/** An error of one statement or request, reported in its result; the stream stays usable. */
export class StmtError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Maps anything thrown while running SQL to a Hrana error (SQLite's own code when it has one). */
export function toProtoError(e: unknown): ProtoError {
  if (e instanceof StmtError) return { message: e.message, code: e.code };
  const message = e instanceof Error ? e.message : String(e);
  const code =
    typeof e === "object" && e !== null && !Array.isArray(e) ? Reflect.get(e, "code") : undefined;
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return { message: `SQLite error: ${message}`, code };
  }
  return { message, code: "INTERNAL_ERROR" };
}
