/**
 * One Hrana stream over HTTP: pipeline requests (`POST <base>/v2/pipeline`) sent one at a
 * time, each carrying the baton the server returned for the previous one. Transport failures
 * reject as `fetch` rejects; a non-200 answer is a `LibsqlError` (`SERVER_ERROR`, or the
 * code in a JSON body), as `@libsql/client` reports them.
 */
import { LibsqlError } from "@libsql/core/api";
import type { Json } from "./values";

/** A failed request of a pipeline, or a failed step of a batch. */
export interface HranaError {
  readonly message: string;
  readonly code?: string | null;
}

/** One request's answer: its `response`, or its error. */
export type Answer =
  | { readonly ok: true; readonly response: Json }
  | { readonly ok: false; readonly error: HranaError };

export const libsqlError = (error: HranaError): LibsqlError =>
  new LibsqlError(error.message, error.code ?? "UNKNOWN");

/** The answer's response, or its error thrown. */
export const responseOf = (answer: Answer | undefined): Json => {
  if (answer === undefined) {
    throw new LibsqlError(
      "Server returned unexpected number of pipeline results",
      "HRANA_PROTO_ERROR",
    );
  }
  if (!answer.ok) throw libsqlError(answer.error);
  return answer.response;
};

const httpError = async (response: Response): Promise<LibsqlError> => {
  const type = response.headers.get("content-type") ?? "text/plain";
  const message = `Server returned HTTP status ${response.status}`;
  if (type === "application/json") {
    const body = (await response.json()) as Partial<HranaError> | null;
    return typeof body?.message === "string"
      ? libsqlError(body as HranaError)
      : new LibsqlError(message, "SERVER_ERROR");
  }
  if (type === "text/plain") {
    const text = (await response.text()).trim();
    return new LibsqlError(text === "" ? message : `${message}: ${text}`, "SERVER_ERROR");
  }
  await response.body?.cancel();
  return new LibsqlError(message, "SERVER_ERROR");
};

export class HranaStream {
  #baton: string | null = null;
  #base: string;
  #previous: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(
    base: string,
    readonly authToken: string | undefined,
  ) {
    this.#base = base;
  }

  /** Whether the stream was closed (by `close: true`, a failure or `abandon`). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends `requests`, followed by the stream's `close` when `close`; their answers in order. */
  send(requests: ReadonlyArray<Json>, close: boolean): Promise<Array<Answer>> {
    if (this.#closed) {
      return Promise.reject(new LibsqlError("Stream is closed", "HRANA_CLOSED_ERROR"));
    }
    if (close) this.#closed = true;
    const body = {
      baton: this.#baton,
      requests: close ? [...requests, { type: "close" }] : requests,
    };
    const sent = this.#previous.then(() => this.#post(body));
    this.#previous = sent.catch(() => undefined);
    return sent.then((answers) => answers.slice(0, requests.length));
  }

  /** Closes the stream on the server if it holds one; nothing waits for it. */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#baton !== null) {
      const body = { baton: this.#baton, requests: [{ type: "close" }] };
      this.#previous.then(() => this.#post(body)).catch(() => undefined);
    }
  }

  async #post(body: Json): Promise<Array<Answer>> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.authToken !== undefined) headers.authorization = `Bearer ${this.authToken}`;
    try {
      const response = await fetch(new URL("v2/pipeline", this.#base), {
        method: "POST",
        headers,
        body: JSON.stringify(body),
      });
      if (!response.ok) throw await httpError(response);
      const answer = (await response.json()) as {
        readonly baton: string | null;
        readonly base_url: string | null;
        readonly results: ReadonlyArray<{ type: string; response?: Json; error?: HranaError }>;
      };
      this.#baton = answer.baton;
      if (answer.base_url) this.#base = answer.base_url;
      if (answer.results.length !== (body.requests as ReadonlyArray<unknown>).length) {
        throw new LibsqlError(
          "Server returned unexpected number of pipeline results",
          "HRANA_PROTO_ERROR",
        );
      }
      return answer.results.map((r) =>
        r.type === "ok"
          ? { ok: true, response: r.response as Json }
          : { ok: false, error: r.error ?? { message: "unknown error" } },
      );
    } catch (error) {
      this.#closed = true;
      throw error;
    }
  }
}
