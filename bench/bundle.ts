/**
 * `npm run bench:bundle [-- --top N] [-- --why <path part>] [-- --json]`: the Worker bundle.
 *
 * Builds the Worker as a deploy would (`wrangler deploy --dry-run --minify`) with esbuild's
 * metafile into a temporary folder, then prints wrangler's own upload size (raw / gzip), the
 * entry module's bytes and gzip bytes, the ratio of the gzip upload to the 200 KiB target,
 * and the N (default 25) largest contributors by package or `src/` folder (the bytes each
 * puts in the output). `--why` prints the import chain from `src/worker/index.ts` to the
 * first module whose path contains the argument: what makes it reachable.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";

const TARGET_GZIP_KIB = 200;
const ENTRY = "src/worker/index.ts";

const { values } = parseArgs({
  options: {
    top: { type: "string", default: "25" },
    why: { type: "string", multiple: true, default: [] },
    json: { type: "boolean", default: false },
  },
});

interface Metafile {
  readonly inputs: Record<string, { readonly imports: ReadonlyArray<{ readonly path: string }> }>;
  readonly outputs: Record<
    string,
    { readonly entryPoint?: string; readonly inputs: Record<string, { bytesInOutput: number }> }
  >;
}

/** The package (`hono`, `@libsql/client`), effect module or `src/` folder of an input path. */
export const groupOf = (path: string): string => {
  const at = path.lastIndexOf("node_modules/");
  if (at < 0) {
    const parts = path.split("/");
    return parts[0] === "src" ? parts.slice(0, 2).join("/") : (parts[0] ?? path);
  }
  const parts = path.slice(at + "node_modules/".length).split("/");
  const pkg = parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  if (pkg !== "effect" || parts[1] !== "dist") return pkg;
  const module = parts[3] ?? "";
  return module.endsWith(".js") ? `effect/${module.slice(0, -3)}` : `effect/${module}`;
};

/** The import chain from the entry to the first reachable input containing `part`. */
const importChain = (meta: Metafile, part: string): ReadonlyArray<string> => {
  const previous = new Map<string, string | null>([[ENTRY, null]]);
  const queue = [ENTRY];
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i] as string;
    if (current.includes(part)) {
      const chain: Array<string> = [];
      for (let at: string | null = current; at !== null; at = previous.get(at) ?? null) {
        chain.unshift(at);
      }
      return chain;
    }
    for (const { path } of meta.inputs[current]?.imports ?? []) {
      if (previous.has(path) || !(path in meta.inputs)) continue;
      previous.set(path, current);
      queue.push(path);
    }
  }
  return [];
};

const kib = (bytes: number) => (bytes / 1024).toFixed(1);

const main = () => {
  const dir = mkdtempSync(join(tmpdir(), "dataspine-bundle-"));
  try {
    const metafile = join(dir, "meta.json");
    const outdir = join(dir, "out");
    const build = spawnSync(
      join("node_modules", ".bin", "wrangler"),
      ["deploy", "--dry-run", "--minify", "--outdir", outdir, "--metafile", metafile],
      { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    if (build.status !== 0) {
      throw new Error(`wrangler deploy --dry-run failed:\n${build.stdout}\n${build.stderr}`);
    }
    const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(build.stdout);
    if (!upload) throw new Error(`no "Total Upload" line in wrangler's output:\n${build.stdout}`);
    const uploadKib = Number(upload[1]);
    const uploadGzipKib = Number(upload[2]);

    const modules = readdirSync(outdir).filter((f) => !f.endsWith(".map") && f !== "README.md");
    const entry = readFileSync(join(outdir, "index.js"));
    const entryGzip = gzipSync(entry).length;
    const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
    const output = Object.values(meta.outputs).find((o) => o.entryPoint === ENTRY);
    if (!output) throw new Error(`no output for ${ENTRY} in the metafile`);

    const groups = new Map<string, number>();
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const group = groupOf(path);
      groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
    }
    const top = [...groups]
      .sort((a, b) => b[1] - a[1])
      .slice(0, Number(values.top))
      .map(([group, bytes]) => ({ group, bytes, share: bytes / entry.length }));
    const why = values.why.map((part) => ({ part, chain: importChain(meta, part) }));
    const result = {
      uploadKib,
      uploadGzipKib,
      targetGzipKib: TARGET_GZIP_KIB,
      ratioToTarget: uploadGzipKib / TARGET_GZIP_KIB,
      modules: modules.map((name) => ({ name, bytes: statSync(join(outdir, name)).size })),
      entryBytes: entry.length,
      entryGzipBytes: entryGzip,
      top,
      why,
    };
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    const lines = [
      `wrangler deploy --dry-run --minify: ${uploadKib} KiB / gzip ${uploadGzipKib} KiB` +
        ` (${result.ratioToTarget.toFixed(2)}× the ${TARGET_GZIP_KIB} KiB gzip target)`,
      `index.js: ${entry.length} bytes, gzip ${entryGzip} bytes; ${modules.length} modules uploaded`,
      "",
      "     KiB  share  package / folder (bytes in the minified output)",
      ...top.map(
        (t) =>
          `${kib(t.bytes).padStart(8)}  ${(t.share * 100).toFixed(1).padStart(4)}%  ${t.group}`,
      ),
      ...why.flatMap(({ part, chain }) => [
        "",
        chain.length === 0 ? `${part}: not reachable from ${ENTRY}` : `why ${part}:`,
        ...chain.map((path, i) => `${"  ".repeat(i)}${path.replace(/^.*node_modules\//, "")}`),
      ]),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

main();
