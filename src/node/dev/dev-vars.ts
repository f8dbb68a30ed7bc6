/**
 * `.dev.vars`, the local secrets file `wrangler dev` reads (git ignores it).
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const DEV_VARS = ".dev.vars";

/** The `DATASPINE_API_TOKEN` of `.dev.vars`, created (random) when it has none. */
export const ensureDevToken = (): string => {
  const text = existsSync(DEV_VARS) ? readFileSync(DEV_VARS, "utf8") : "";
  const found = /^DATASPINE_API_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text)?.[1];
  if (found) return found;
  const token = randomBytes(24).toString("base64url");
  const prefix = text.length > 0 && !text.endsWith("\n") ? `${text}\n` : text;
  writeFileSync(DEV_VARS, `${prefix}DATASPINE_API_TOKEN="${token}"\n`, { mode: 0o600 });
  process.stderr.write(`created ${DEV_VARS} with a new DATASPINE_API_TOKEN\n`);
  return token;
};
