/// <reference types="vite/client" />
/**
 * Every exported `Schema.TaggedError` declares the HTTP status it answers with, so a new
 * error can never fall through to 500 unnoticed. Modules are found by glob: an error added
 * anywhere under `src/` (except Node-only `src/node` and `src/dev`, and the Deno entry
 * `src/deno`, which starts a server when imported) is checked without editing this file.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { failureOf } from "../../src/actors/reply";
import { declaredStatus, RemoteFailure, statusOf } from "../../src/core/model/tagged-http-error";
import { DependenciesNotReady } from "../../src/core/pipeline/calc-dependencies";
import { errorResponse } from "../../src/worker/http-errors";

const modules = import.meta.glob<Record<string, unknown>>(
  [
    "../../src/**/*.ts",
    "!../../src/node/**",
    "!../../src/dev/**",
    "!../../src/deno/**",
    "!../../src/**/*.d.ts",
  ],
  { eager: true },
);

interface Found {
  readonly where: string;
  readonly tag: string;
  readonly errorClass: unknown;
}

/** Exported classes built by `Schema.TaggedError` (a static `_tag` and `ast`, Error instances). */
const taggedErrors = (): ReadonlyArray<Found> => {
  const seen = new Map<unknown, Found>();
  for (const [path, exports] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(exports)) {
      const candidate = value as { _tag?: unknown; ast?: unknown; prototype?: unknown };
      if (
        typeof value === "function" &&
        typeof candidate._tag === "string" &&
        candidate.ast !== undefined &&
        candidate.prototype instanceof Error &&
        !seen.has(value)
      ) {
        seen.set(value, { where: `${path}#${name}`, tag: candidate._tag, errorClass: value });
      }
    }
  }
  return [...seen.values()];
};

describe("HTTP status of tagged errors", () => {
  const found = taggedErrors();

  it("finds the exported tagged errors of the whole source tree", () => {
    expect(Object.keys(modules).length).toBeGreaterThan(50);
    const tags = found.map((f) => f.tag);
    for (const known of ["DependenciesNotReady", "InvalidRequest", "ReplayNotFound"]) {
      expect(tags).toContain(known);
    }
  });

  it("every one declares a 4xx/5xx status, and no two share a tag", () => {
    const missing = found.filter((f) => {
      const status = declaredStatus(f.errorClass);
      return status === undefined || status < 400 || status > 599;
    });
    expect(missing.map((f) => f.where)).toEqual([]);
    console.info(`${found.length} exported tagged errors, each with an HTTP status`);
    const tags = found.map((f) => f.tag);
    expect(tags.filter((tag, i) => tags.indexOf(tag) !== i)).toEqual([]);
  });

  it("the error handler answers with the class's status and tag, across RPC too", async () => {
    const error = new DependenciesNotReady({
      pipeline: "p",
      partition: "k",
      missing: ["x"],
      message: "x is not ready",
    });
    expect(statusOf(error)).toBe(409);
    const app = new Hono();
    app.onError(errorResponse);
    app.get("/local", () => {
      throw error;
    });
    // What a Durable Object replies, turned back into an error by the route.
    app.get("/remote", () => {
      throw new RemoteFailure(failureOf(error));
    });
    app.get("/untagged", () => {
      throw new RangeError("boom");
    });
    for (const path of ["/local", "/remote"]) {
      const res = await app.request(path);
      expect(res.status).toBe(409);
      expect(await res.json()).toEqual({
        error: "DependenciesNotReady",
        message: "x is not ready",
      });
    }
    const res = await app.request("/untagged");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "InternalError", message: "internal error" });
  });
});
