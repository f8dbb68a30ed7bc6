/**
 * Errors that cross a boundary (HTTP, Durable Object RPC, the CLI, audit) carry their HTTP
 * status: a `Schema.TaggedError` whose tag is the stable error code, annotated with the status
 * (`HttpApiSchema.annotations({ status })`). `declaredStatus` reads it back from the class and
 * `statusOf` from a thrown value, so a new error needs no table anywhere.
 */
import * as HttpApiSchema from "@effect/platform/HttpApiSchema";
import * as Schema from "effect/Schema";

/**
 * A boundary error class: `tag`, the given fields, then `message`, answering HTTP `status`.
 *
 * @example
 * export class ReplayNotFound extends TaggedHttpError<ReplayNotFound>()("ReplayNotFound", 404, {
 *   replay_id: Schema.String,
 * }) {}
 */
export const TaggedHttpError =
  <Self = never>() =>
  <Tag extends string, Fields extends Schema.Struct.Fields = Record<never, never>>(
    tag: Tag,
    status: number,
    fields?: Fields,
  ) =>
    Schema.TaggedError<Self>()(
      tag,
      { ...(fields as Fields), message: Schema.String },
      HttpApiSchema.annotations({ status }),
    );

/**
 * A failure that crossed a Durable Object RPC as `{ tag, message, status }`: it answers with
 * the original tag and the status its class declared on the other side.
 */
export class RemoteFailure extends Error {
  readonly _tag: string;
  readonly status: number;
  constructor(failure: {
    readonly tag: string;
    readonly message: string;
    readonly status: number;
  }) {
    super(failure.message);
    this._tag = failure.tag;
    this.status = failure.status;
  }
}

/** The HTTP status a tagged error class declares, if any. */
export const declaredStatus = (errorClass: unknown): number | undefined => {
  const ast = (errorClass as { readonly ast?: Schema.Schema.Any["ast"] } | null)?.ast;
  const status = ast ? HttpApiSchema.getStatus(ast, 0) : 0;
  return status > 0 ? status : undefined;
};

/** The HTTP status of a thrown value: its class's annotation; 500 when it declares none. */
export const statusOf = (error: unknown): number => {
  if (error instanceof RemoteFailure) return error.status;
  if (typeof error !== "object" || error === null) return 500;
  return declaredStatus(error.constructor) ?? 500;
};
