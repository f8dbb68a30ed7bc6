/**
 * `dataspine` command line: a thin dispatcher over `commands/`.
 *
 * Results go to stdout (exactly one JSON document with `--json`), logs to stderr.
 * Exit codes: 0 ok, 1 the run failed, 2 bad usage or input.
 */
import { readAppConfig } from "../core/config/app-config";
import { COMMANDS } from "./commands/index";
import { UsageError } from "./commands/shared";
import { DEFAULT_DB_PATH, dbConfigFromEnv, unreachableReason } from "./database";

const usage = () => `usage:
${COMMANDS.map((c) => `  ${c.usage.split("\n").join("\n  ")}`).join("\n")}

Environment: LIBSQL_URL, LIBSQL_AUTH_TOKEN (default: embedded file ${DEFAULT_DB_PATH}),
MARKET_DATA_BASE_URL, POLYGON_API_KEY (default: an in-process demo feed), LOG_LEVEL; every
setting: docs/configuration.md.`;

const isParseArgsError = (error: unknown) =>
  error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");

const main = async (argv: ReadonlyArray<string>): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command "${name}"`);
  const config = readAppConfig(process.env);
  if (config._tag === "Left") throw new UsageError(config.left.message);
  const unreachable = command.offline ? undefined : await unreachableReason(dbConfigFromEnv());
  if (unreachable !== undefined) {
    // A run that cannot reach its database failed before it started: exit 1, said plainly.
    const json = rest.includes("--json");
    process.stdout.write(
      json ? `${JSON.stringify({ error: "DatabaseUnreachable", message: unreachable })}\n` : "",
    );
    process.stderr.write(`error: ${unreachable}\n`);
    return 1;
  }
  return command.run(rest);
};

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || isParseArgsError(error)) {
      process.stderr.write(`${(error as Error).message}\n\n${usage()}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
