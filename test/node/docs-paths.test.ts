/**
 * The docs cannot rot silently: every repository path the Markdown files name exists, every
 * relative link resolves, every `#anchor` is a heading of the page it points to, and no file
 * holds merge conflict markers.
 *
 * Checked: README.md, ARCHITECTURE.md and docs/**. Paths are `src/…`, `test/…`, `scripts/…`,
 * `bench/…`, `bin/…`, `migrations/…`, `docs/…` anywhere in the text (`*` and `…` match any
 * name part), and file names in backticks (`core/runner.ts`, `audit-hash.ts`), which must be
 * the end of some file's path. Command transcripts (```console and ```text blocks) are
 * skipped: they record what a session printed, temporary files included.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SKIPPED_DIRS = new Set(["node_modules", ".git", ".wrangler", ".dataspine", ".artifacts"]);
/** Git-ignored output the tests write, which a fresh clone does not have yet. */
const GENERATED = ["test/.artifacts/"];

const walk = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    if (SKIPPED_DIRS.has(entry.name)) return [];
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    return entry.isDirectory() ? [`${path}/`, ...walk(path)] : [path];
  });

/** Every file and folder (folders end in `/`), relative to the repository root. */
const TREE = walk("");
const FILES = TREE.filter((path) => !path.endsWith("/"));

const MARKDOWN = ["README.md", "ARCHITECTURE.md", ...FILES.filter((f) => /^docs\/.*\.md$/.test(f))];
/** Tables of old → new paths: their old paths are gone on purpose (links are still checked). */
const PATH_HISTORY = new Set(["docs/layout-moves.md"]);

/** The text outside command transcripts, which record output rather than name files. */
const checkedText = (markdown: string) =>
  markdown.replace(/^```(console|text)\n[\s\S]*?^```$/gm, "");

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const anchors = (markdown: string): Set<string> => {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  const withoutCode = markdown.replace(/^```[\s\S]*?^```$/gm, "");
  for (const [, title] of withoutCode.matchAll(/^#{1,6} +(.+?) *#*$/gm)) {
    const slug = (title ?? "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N} _-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
};

const REPO_PATH =
  /(?<![\w./-])((?:src|test|scripts|bench|bin|migrations|docs)\/[\w.*…/-]*[\w*…/])/g;
const BACKTICKED_FILE = /`([\w.-]+(?:\/[\w.-]+)*\.(?:ts|tsx|cjs|mjs|sql))`/g;

const pattern = (path: string) =>
  new RegExp(
    `^${path
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/[*…]+/g, "[^/]*")}${path.endsWith("/") ? "" : "/?"}$`,
  );

const missingPaths = (file: string, markdown: string): string[] => {
  const text = checkedText(markdown);
  const missing: string[] = [];
  for (const [, path = ""] of text.matchAll(REPO_PATH)) {
    const named = path.replace(/\.$/, "");
    const found = GENERATED.some((prefix) => named.startsWith(prefix))
      ? true
      : /[*…]/.test(named)
        ? TREE.some((p) => pattern(named).test(p))
        : existsSync(join(ROOT, named));
    if (!found) missing.push(`${file}: ${named}`);
  }
  for (const [, name = ""] of text.matchAll(BACKTICKED_FILE)) {
    if (/^(src|test|scripts|bench|bin|migrations|docs)\//.test(name)) continue;
    if (!FILES.some((f) => f === name || f.endsWith(`/${name}`))) missing.push(`${file}: ${name}`);
  }
  return missing;
};

const brokenLinks = (file: string, markdown: string): string[] => {
  const broken: string[] = [];
  const text = markdown.replace(/^```[\s\S]*?^```$/gm, "").replace(/`[^`\n]*`/g, "");
  for (const [, target = ""] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [path = "", anchor] = target.split("#");
    const resolved = path === "" ? file : relative(ROOT, join(ROOT, dirname(file), path));
    if (!existsSync(join(ROOT, resolved))) {
      broken.push(`${file}: ${target} (no ${resolved})`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith(".md")) {
      const headings = anchors(readFileSync(join(ROOT, resolved), "utf8"));
      if (!headings.has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
    }
  }
  return broken;
};

describe("docs", () => {
  it("checks the README, ARCHITECTURE and every doc", () => {
    expect(MARKDOWN).toEqual(expect.arrayContaining(["README.md", "docs/api.md"]));
  });

  it("name only paths that exist", () => {
    const missing = MARKDOWN.filter((file) => !PATH_HISTORY.has(file)).flatMap((file) =>
      missingPaths(file, readFileSync(join(ROOT, file), "utf8")),
    );
    expect(missing).toEqual([]);
  });

  it("link only to files and headings that exist", () => {
    const broken = MARKDOWN.flatMap((file) =>
      brokenLinks(file, readFileSync(join(ROOT, file), "utf8")),
    );
    expect(broken).toEqual([]);
  });

  it("hold no merge conflict markers", () => {
    const conflicted = MARKDOWN.filter((file) =>
      /^(<{7}|>{7}) |^={7}$/m.test(readFileSync(join(ROOT, file), "utf8")),
    );
    expect(conflicted).toEqual([]);
  });

  it("find a renamed file and a wrong anchor", () => {
    expect(missingPaths("x.md", "see `src/core/no-such-file.ts` and `no-such.ts`")).toEqual([
      "x.md: src/core/no-such-file.ts",
      "x.md: no-such.ts",
    ]);
    expect(
      brokenLinks("docs/x.md", "[a](api.md#no-such-heading) [b](../README.md#run-it)"),
    ).toEqual(["docs/x.md: api.md#no-such-heading (no heading #no-such-heading)"]);
  });
});
