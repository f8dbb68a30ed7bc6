/**
 * Rewrites `import { Effect, Schema, pipe } from "effect"` under the given folders into one
 * import per module (`import * as Effect from "effect/Effect"`, `import { pipe } from
 * "effect/Function"`). esbuild keeps every export of a namespace re-exported by the barrel
 * (`export * as Schema`), so barrel imports put all of Schema, Stream and fast-check in the
 * Worker bundle; per-module imports let it drop what is unused (docs/performance.md).
 *
 * Usage: `tsx scripts/effect-imports.ts [folder…]` (default `src`), then `npx biome check
 * --write` to sort the imports.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** Values the barrel re-exports by name from `effect/Function` rather than as a namespace. */
const FUNCTION_EXPORTS = new Set(["absurd", "flow", "hole", "identity", "pipe", "unsafeCoerce"]);

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });

/** The replacement lines for one barrel import declaration. */
const rewrite = (decl: ts.ImportDeclaration, source: ts.SourceFile): string => {
  const clause = decl.importClause;
  const bindings = clause?.namedBindings;
  if (!clause || !bindings || !ts.isNamedImports(bindings)) {
    throw new Error(`${source.fileName}: unsupported import form: ${decl.getText(source)}`);
  }
  const lines: Array<string> = [];
  const functionNames: Array<string> = [];
  for (const spec of bindings.elements) {
    const imported = (spec.propertyName ?? spec.name).text;
    const local = spec.name.text;
    const typeOnly = clause.isTypeOnly || spec.isTypeOnly;
    if (FUNCTION_EXPORTS.has(imported)) {
      const named = imported === local ? local : `${imported} as ${local}`;
      functionNames.push(typeOnly ? `type ${named}` : named);
    } else {
      lines.push(`import ${typeOnly ? "type " : ""}* as ${local} from "effect/${imported}";`);
    }
  }
  if (functionNames.length > 0) {
    lines.push(`import { ${functionNames.join(", ")} } from "effect/Function";`);
  }
  return lines.join("\n");
};

const rewriteFile = (path: string): boolean => {
  const text = readFileSync(path, "utf8");
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const edits = source.statements
    .filter(
      (s): s is ts.ImportDeclaration =>
        ts.isImportDeclaration(s) &&
        ts.isStringLiteral(s.moduleSpecifier) &&
        s.moduleSpecifier.text === "effect",
    )
    .map((decl) => ({ start: decl.getStart(source), end: decl.end, text: rewrite(decl, source) }));
  if (edits.length === 0) return false;
  let out = text;
  for (const edit of [...edits].reverse()) {
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  }
  writeFileSync(path, out);
  return true;
};

const folders = process.argv.slice(2);
const changed = (folders.length > 0 ? folders : ["src"]).flatMap(sourceFiles).filter(rewriteFile);
console.log(`rewrote ${changed.length} files`);
