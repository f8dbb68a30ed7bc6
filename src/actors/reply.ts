/**
 * The actor reply contract: failures across Durable Object RPC (and the in-process host's
 * actors), in one place. An actor method never throws to its caller, it answers a `Reply`
 * (or a result carrying a `Failure`), and the caller turns that back into a tagged error
 * with `unwrap` / `RemoteFailure` (`core/model/tagged-http-error.ts`).
 */
import * as Cause from "effect/Cause";
import { statusOf } from "../core/model/tagged-http-error";
import { describeUnknown } from "../db/errors";

/** A failure as data: its stable tag, message and the HTTP status its class declares. */
export interface Failure {
  readonly tag: string;
  readonly message: string;
  readonly status: number;
}

/** An RPC answer: a value, or the failure that prevented it. */
export type Reply<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: Failure };

/** The error an Effect failed with: its first typed failure, else the defect. */
export const errorOfCause = (cause: Cause.Cause<unknown>): unknown => Cause.squash(cause);

/** A thrown value or a `Cause` as a `Failure` (tag `Defect` when it has none). */
export const failureOf = (thrown: unknown): Failure => {
  const error = Cause.isCause(thrown) ? errorOfCause(thrown) : thrown;
  const tagged = (typeof error === "object" && error !== null ? error : {}) as {
    readonly _tag?: unknown;
    readonly message?: unknown;
  };
  return {
    tag: typeof tagged._tag === "string" ? tagged._tag : "Defect",
    message: typeof tagged.message === "string" ? tagged.message : describeUnknown(error),
    status: statusOf(error),
  };
};

/** Runs a Durable Object method's work; whatever it throws becomes a failed reply. */
export const replyOf = async <A>(work: () => A | Promise<A>): Promise<Reply<A>> => {
  try {
    return { ok: true, value: await work() };
  } catch (cause) {
    return { ok: false, error: failureOf(cause) };
  }
};

/**
 * The value of a Durable Object's reply. An RPC that threw (the object was unreachable or
 * reset) or a failed reply is thrown as `unavailable(message)`, e.g. `BackfillUnavailable`.
 */
export const unwrap = async <A>(
  call: () => Promise<Reply<A>>,
  unavailable: (message: string) => Error,
): Promise<A> => {
  const answer = await call().catch(
    (cause: unknown): Reply<A> => ({ ok: false, error: failureOf(cause) }),
  );
  if (!answer.ok) throw unavailable(answer.error.message);
  return answer.value;
};
