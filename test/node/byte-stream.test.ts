/**
 * Payload byte streams over real HTTP and real files: a body that stalls is a transient
 * timeout, a consumer that stops early releases the connection, `readCapped` stops past its
 * limit, a missing file is a permanent error and a file is read whole in chunks.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import { Effect, Exit } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HttpFetch } from "../../src/core/http/http-fetch";
import { forEachChunk, fromChunks, readCapped } from "../../src/core/ingest/byte-stream";
import { openFilePayload, openHttpPayload } from "../../src/core/ingest/fetch";
import { defaultRetryPolicy } from "../../src/core/ingest/retry";

let server: Server;
let baseUrl: string;
let dir: string;
/** Resolved when the server sees the client drop the `/endless` response. */
let endlessClosed: Promise<void>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataspine-bytes-"));
  let closed: () => void = () => undefined;
  endlessClosed = new Promise((resolve) => {
    closed = resolve;
  });
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    if (req.url === "/stall") {
      res.write("a,b\n1,2\n"); // then nothing, connection left open
      return;
    }
    // Writes 1 KiB chunks for as long as the client reads.
    const timer = setInterval(() => res.write("x".repeat(1024)), 5);
    res.on("close", () => {
      clearInterval(timer);
      closed();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const open = (path: string, timeoutMs = 2_000) =>
  openHttpPayload(`${baseUrl}${path}`, {
    source: "test",
    timeoutMs,
    retry: defaultRetryPolicy,
  }).pipe(Effect.provide(HttpFetch.layer));

describe("HTTP payloads", () => {
  it("a body that stops arriving is a transient timeout after the chunks it sent", async () => {
    const chunks: Array<string> = [];
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(open("/stall", 200), (bytes) =>
        forEachChunk(bytes, (chunk) =>
          Effect.sync(() => chunks.push(Buffer.from(chunk).toString())),
        ),
      ),
    );
    expect(chunks.join("")).toBe("a,b\n1,2\n");
    expect(Exit.isFailure(exit) && exit.cause).toMatchObject({
      error: {
        _tag: "TransientSourceError",
        reason: "timeout",
        message: "test body stalled for 200 ms",
      },
    });
  });

  it("a consumer that fails early releases the connection", async () => {
    let seen = 0;
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(open("/endless"), (bytes) =>
        forEachChunk(bytes, (chunk) => {
          seen += chunk.length;
          return seen > 8_192 ? Effect.fail("enough" as const) : Effect.void;
        }),
      ),
    );
    expect(exit).toEqual(Exit.fail("enough"));
    await endlessClosed; // the server saw the response dropped (the test would time out)
  });
});

describe("readCapped", () => {
  const chunks = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => new Uint8Array(size).fill(i + 1));

  it("collects a stream within the limit", async () => {
    const all = await Effect.runPromise(readCapped(fromChunks(chunks(3, 4)), 12, () => "over"));
    expect(Array.from(all)).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it("stops one chunk past the limit and fails with what it read", async () => {
    let pulled = 0;
    const source = fromChunks(
      (function* () {
        for (const chunk of chunks(10, 4)) {
          pulled++;
          yield chunk;
        }
      })(),
    );
    const exit = await Effect.runPromiseExit(readCapped(source, 6, (head) => head.length));
    expect(exit).toEqual(Exit.fail(8));
    expect(pulled).toBe(2);
  });
});

describe("file payloads", () => {
  it("reads a file whole, in 64 KiB chunks", async () => {
    const path = join(dir, "big.csv");
    const text = "0123456789".repeat(20_000);
    await writeFile(path, text);
    const sizes: Array<number> = [];
    const decoder = new TextDecoder();
    let read = "";
    await Effect.runPromise(
      Effect.flatMap(openFilePayload(path, { source: "test" }), (bytes) =>
        forEachChunk(bytes, (chunk) =>
          Effect.sync(() => {
            sizes.push(chunk.length);
            read += decoder.decode(chunk, { stream: true });
          }),
        ),
      ).pipe(Effect.provide(NodeFileSystem.layer)),
    );
    expect(read).toBe(text);
    expect(sizes).toEqual([65_536, 65_536, 65_536, 200_000 - 3 * 65_536]);
  });

  it("a missing file is a permanent error naming it", async () => {
    const path = join(dir, "missing.csv");
    const exit = await Effect.runPromiseExit(
      Effect.flatMap(openFilePayload(path, { source: "test" }), (bytes) =>
        forEachChunk(bytes, () => Effect.void),
      ).pipe(Effect.provide(NodeFileSystem.layer)),
    );
    expect(Exit.isFailure(exit) && exit.cause).toMatchObject({
      error: { _tag: "PermanentSourceError", message: `file not found: ${path}` },
    });
  });
});
