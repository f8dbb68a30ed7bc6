/**
 * What the deployed Worker contains: the bundle of a `wrangler deploy --dry-run`, read from
 * esbuild's metafile. Test-only libraries, Node-only and dev-only code and effect's barrel
 * (whose namespace re-exports keep every export of a module) stay out of it. The bundle's
 * size is a benchmark (`npm run bench:bundle`), not asserted here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Metafile {
  readonly outputs: Record<
    string,
    { readonly entryPoint?: string; readonly inputs: Record<string, unknown> }
  >;
}

describe("the Worker bundle", () => {
  const dir = mkdtempSync(join(tmpdir(), "dataspine-worker-bundle-"));
  let inputs: ReadonlyArray<string> = [];

  beforeAll(() => {
    const metafile = join(dir, "meta.json");
    const build = spawnSync(
      join("node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--minify", "--outdir", join(dir, "out"), "--metafile", metafile],
      { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    expect(build.status, build.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
    const output = Object.values(meta.outputs).find((o) => o.entryPoint === "src/worker/index.ts");
    inputs = Object.keys(output?.inputs ?? {});
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is built from the Worker entry and the layers below it", () => {
    expect(inputs).toContain("src/worker/index.ts");
    expect(inputs).toContain("src/core/pipeline/runner.ts");
    expect(inputs.some((p) => p.includes("node_modules/effect/dist/esm/Schema.js"))).toBe(true);
  });

  it("holds no test-only library (fast-check, pure-rand)", () => {
    expect(inputs.filter((p) => /node_modules\/(fast-check|pure-rand)\//.test(p))).toEqual([]);
  });

  it("holds no Node-only or dev-only code", () => {
    expect(inputs.filter((p) => p.startsWith("src/node/") || p.startsWith("src/dev/"))).toEqual([]);
  });

  it("imports effect per module, never through its barrel", () => {
    expect(inputs.filter((p) => p.endsWith("node_modules/effect/dist/esm/index.js"))).toEqual([]);
  });

  it("reaches libSQL over HTTP only (no WebSocket client)", () => {
    expect(
      inputs.filter((p) => /@libsql\/(client\/lib-esm\/ws|hrana-client\/lib-esm\/ws)/.test(p)),
    ).toEqual([]);
  });
});
