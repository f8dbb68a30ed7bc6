/**
 * Structured JSON logs. The CLI writes them to stderr so that a command's stdout carries only
 * its result (`--json` prints exactly one JSON document); the Worker writes each level through
 * the console method of that level, which is how workerd and wrangler tell levels apart.
 */
import * as Layer from "effect/Layer";
import * as Logger from "effect/Logger";
import * as LogLevel from "effect/LogLevel";

/** JSON lines on stderr at `level` and above. */
export const jsonLogsToStderr = (level: LogLevel.LogLevel) =>
  Layer.merge(
    Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.jsonLogger)),
    Logger.minimumLogLevel(level),
  );

/** The console method that carries a level: trace and debug `debug`, info `info`, … */
const consoleMethod = (level: LogLevel.LogLevel): "debug" | "info" | "warn" | "error" => {
  if (LogLevel.greaterThanEqual(level, LogLevel.Error)) return "error";
  if (LogLevel.greaterThanEqual(level, LogLevel.Warning)) return "warn";
  if (LogLevel.greaterThanEqual(level, LogLevel.Info)) return "info";
  return "debug";
};

/** JSON lines, each through the console method of its level. */
const jsonByLevel = Logger.make((options) => {
  globalThis.console[consoleMethod(options.logLevel)](Logger.jsonLogger.log(options));
});

/** JSON lines at `level` and above, each through the console method of its level. */
export const jsonLogsByLevel = (level: LogLevel.LogLevel) =>
  Layer.merge(Logger.replace(Logger.defaultLogger, jsonByLevel), Logger.minimumLogLevel(level));
