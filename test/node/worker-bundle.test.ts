/**
 * What the deployed Worker contains: the bundle of a `wrangler deploy --dry-run --minify`,
 * read from esbuild's metafile. Test-only libraries, Node-only and dev-only code, effect's
 * barrel (whose namespace re-exports keep every export of a module) and the libraries the
 * Worker replaced with small code of its own stay out of it, and wrangler's gzip upload size
 * stays within the 200 KiB target (docs/performance.md, Worker bundle; `npm run bench:bundle`
 * says what pulls the weight).
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
  let gzipKib = Number.NaN;

  beforeAll(() => {
    const metafile = join(dir, "meta.json");
    const build = spawnSync(
      join("node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--minify", "--outdir", join(dir, "out"), "--metafile", metafile],
      { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    expect(build.status, build.stderr).toBe(0);
    const upload = /Total Upload: [\d.]+ KiB \/ gzip: ([\d.]+) KiB/.exec(build.stdout);
    gzipKib = Number(upload?.[1]);
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

  it("uploads at most 200 KiB gzip", () => {
    expect(gzipKib).toBeGreaterThan(0);
    expect(gzipKib).toBeLessThanOrEqual(200);
  });

  it("parses delimited text without papaparse", () => {
    expect(inputs.filter((p) => p.includes("node_modules/papaparse/"))).toEqual([]);
  });

  it("reaches libSQL through its own Hrana client, not @libsql/client or hrana-client", () => {
    expect(inputs).toContain("src/db/hrana/client.ts");
    expect(inputs.filter((p) => /node_modules\/@libsql\/(client|hrana-client)\//.test(p))).toEqual(
      [],
    );
  });

  it("has no effect Stream / Channel and no @effect/platform HTTP client", () => {
    expect(
      inputs.filter((p) =>
        /effect\/dist\/esm\/(Stream|internal\/stream|internal\/channel)\b|@effect\/platform\/dist\/esm\/(internal\/)?(HttpClient|httpClient|FetchHttpClient|fetchHttpClient)/.test(
          p,
        ),
      ),
    ).toEqual([]);
  });
});
