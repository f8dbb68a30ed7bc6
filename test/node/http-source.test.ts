import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { it } from "@effect/vitest";
import { Duration, Effect, Exit, Fiber, TestClock } from "effect";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { HttpFetch } from "../../src/core/http/http-fetch";
import { fetchJson, parseRetryAfter, redactUrl } from "../../src/core/ingest/http-source";
import { defaultRetryPolicy, retryRequest } from "../../src/core/ingest/retry";
import { PermanentSourceError, TransientSourceError } from "../../src/core/model/errors";
import { freePort } from "../fixtures/ports";

let hanging: Server;
let hangingUrl: string;

beforeAll(async () => {
  // Accepts connections and never answers: the timeout path.
  hanging = createServer(() => undefined);
  await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/slow`;
});

afterAll(
  () =>
    new Promise<void>((resolve) => {
      hanging.closeAllConnections();
      hanging.close(() => resolve());
    }),
);

const fetchFailure = (url: string, timeoutMs = 2_000) =>
  fetchJson({ source: "test", url, timeoutMs }).pipe(Effect.flip, Effect.provide(HttpFetch.layer));

describe("fetchJson error classification", () => {
  it.live("a server that never answers is a transient timeout", () =>
    Effect.gen(function* () {
      const error = yield* fetchFailure(hangingUrl, 150);
      expect(error).toBeInstanceOf(TransientSourceError);
      expect(error).toMatchObject({ reason: "timeout", source: "test" });
    }),
  );

  it.live("a refused connection is a transient network error", () =>
    Effect.gen(function* () {
      const port = yield* Effect.promise(freePort);
      const error = yield* fetchFailure(`http://127.0.0.1:${port}/nothing`);
      expect(error).toMatchObject({ _tag: "TransientSourceError", reason: "network" });
    }),
  );

  it.live("an invalid URL is permanent", () =>
    Effect.gen(function* () {
      const error = yield* fetchFailure("not a url");
      expect(error).toBeInstanceOf(PermanentSourceError);
    }),
  );
});

describe("fetchJson refuses JSON nested too deep", () => {
  let deep: Server;
  beforeAll(async () => {
    deep = createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`{"status":"OK","results":${"[".repeat(5_000)}${"]".repeat(5_000)}}`);
    });
    await new Promise<void>((resolve) => deep.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => deep.close(() => resolve())));

  it.live("a body nested 5,000 deep is a permanent decode error, not a stack overflow", () =>
    Effect.gen(function* () {
      const port = (deep.address() as AddressInfo).port;
      const error = yield* fetchFailure(`http://127.0.0.1:${port}/deep`);
      expect(error).toMatchObject({ _tag: "PermanentSourceError", reason: "decode", status: 200 });
      expect(error.message).toContain("nested deeper than 64 levels");
    }),
  );
});

describe("Retry-After and redaction", () => {
  it("parses delta seconds and HTTP dates", () => {
    const now = Date.parse("2025-01-02T10:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter("Thu, 02 Jan 2025 10:00:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Thu, 02 Jan 2025 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("never keeps API keys in URLs it records", () => {
    expect(redactUrl("https://api.polygon.io/v2/aggs?adjusted=true&apiKey=SECRET&x=1")).toBe(
      "https://api.polygon.io/v2/aggs?adjusted=true&apiKey=***&x=1",
    );
  });
});

describe("retryRequest schedule", () => {
  const transient = (retryAfterMs?: number) =>
    new TransientSourceError({
      source: "s",
      url: "u",
      reason: "status",
      status: 503,
      message: "HTTP 503",
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  /** Runs a request that always fails with `error`, recording the virtual time of each attempt. */
  const attemptTimes = (error: TransientSourceError | PermanentSourceError, maxAttempts: number) =>
    Effect.gen(function* () {
      const times: Array<number> = [];
      const request = Effect.gen(function* () {
        times.push(yield* TestClock.currentTimeMillis);
        return yield* Effect.fail(error);
      });
      const fiber = yield* Effect.fork(
        retryRequest(request, { ...defaultRetryPolicy, maxAttempts, capMs: 500 }),
      );
      yield* TestClock.adjust(Duration.minutes(5));
      const exit = yield* Fiber.await(fiber);
      return { times, exit };
    });

  it.effect("backs off exponentially up to the cap, then fails with the attempt count", () =>
    Effect.gen(function* () {
      const { times, exit } = yield* attemptTimes(transient(), 5);
      expect(times).toEqual([0, 200, 600, 1100, 1600]);
      expect(Exit.isFailure(exit)).toBe(true);
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error.message).toBe("HTTP 503 (after 5 attempts)");
      }
    }),
  );

  it.effect("waits at least as long as Retry-After", () =>
    Effect.gen(function* () {
      const { times } = yield* attemptTimes(transient(3_000), 3);
      expect(times).toEqual([0, 3_000, 6_000]);
    }),
  );

  it.effect("does not retry permanent errors", () =>
    Effect.gen(function* () {
      const permanent = new PermanentSourceError({
        source: "s",
        url: "u",
        reason: "status",
        status: 404,
        message: "HTTP 404",
      });
      const { times, exit } = yield* attemptTimes(permanent, 5);
      expect(times).toEqual([0]);
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error.message).toBe(
        "HTTP 404",
      );
    }),
  );
});
