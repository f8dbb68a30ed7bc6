/**
 * `src/worker/worker-configuration.d.ts` is what `npm run types` (`wrangler types`) generates
 * from wrangler.toml today: regenerated into a temporary folder and compared. (`wrangler types
 * --check` would read a local `.dev.vars` and call the file stale.)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { OFFLINE_WRANGLER_ENV } from "../../src/node/dev/local-stack";

const COMMITTED = "src/worker/worker-configuration.d.ts";

/** The generated declarations without the header line (it names the output path). */
const body = (text: string) => text.split("\n").slice(2).join("\n");

describe("generated Worker types", () => {
  it("match wrangler.toml (run `npm run types` after changing it)", () => {
    const scripts = JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<
      string,
      string
    >;
    const [command, sub, path, ...flags] = scripts.types?.split(" ") ?? [];
    expect([command, sub, path]).toEqual(["wrangler", "types", COMMITTED]);
    const dir = mkdtempSync(join(tmpdir(), "dataspine-types-"));
    try {
      const out = join(dir, "worker-configuration.d.ts");
      execFileSync(resolve("node_modules/.bin/wrangler"), ["types", out, ...flags], {
        env: { ...process.env, ...OFFLINE_WRANGLER_ENV },
        stdio: "pipe",
      });
      // Imports of the entry point are relative to where the file is written.
      const fromTemp = relative(dir, resolve("src/worker")).split("\\").join("/");
      const generated = body(readFileSync(out, "utf8")).replaceAll(`"${fromTemp}/`, '"./');
      expect(generated).toBe(body(readFileSync(COMMITTED, "utf8")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
