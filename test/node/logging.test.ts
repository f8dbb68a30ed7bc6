/**
 * Worker logs keep their level: each goes through the console method of its level (workerd and
 * wrangler read the level from the method; everything through console.error showed INFO lines
 * as errors). CLI logs all go to stderr so stdout carries only results.
 */
import { Effect, LogLevel } from "effect";
import { afterEach, describe, expect, it, vi } from "vitest";
import { jsonLogsByLevel, jsonLogsToStderr } from "../../src/core/model/logging";

afterEach(() => {
  vi.restoreAllMocks();
});

const spyConsole = () => ({
  debug: vi.spyOn(console, "debug").mockImplementation(() => undefined),
  info: vi.spyOn(console, "info").mockImplementation(() => undefined),
  warn: vi.spyOn(console, "warn").mockImplementation(() => undefined),
  error: vi.spyOn(console, "error").mockImplementation(() => undefined),
  log: vi.spyOn(console, "log").mockImplementation(() => undefined),
});

const logEveryLevel = Effect.all([
  Effect.logDebug("d"),
  Effect.logInfo("i"),
  Effect.logWarning("w"),
  Effect.logError("e"),
  Effect.logFatal("f"),
]);

const messages = (spy: { mock: { calls: Array<Array<unknown>> } }) =>
  spy.mock.calls.map((call) => (JSON.parse(String(call[0])) as { message: string }).message);

describe("log levels", () => {
  it("the Worker logger writes each level through its console method, as JSON", () => {
    const spies = spyConsole();
    Effect.runSync(logEveryLevel.pipe(Effect.provide(jsonLogsByLevel(LogLevel.Debug))));
    expect(messages(spies.debug)).toEqual(["d"]);
    expect(messages(spies.info)).toEqual(["i"]);
    expect(messages(spies.warn)).toEqual(["w"]);
    expect(messages(spies.error)).toEqual(["e", "f"]);
    expect(spies.log).not.toHaveBeenCalled();
    const line = JSON.parse(String(spies.info.mock.calls[0]?.[0])) as { logLevel: string };
    expect(line.logLevel).toBe("INFO");
  });

  it("the Worker logger drops levels below the minimum", () => {
    const spies = spyConsole();
    Effect.runSync(logEveryLevel.pipe(Effect.provide(jsonLogsByLevel(LogLevel.Warning))));
    expect(spies.debug).not.toHaveBeenCalled();
    expect(spies.info).not.toHaveBeenCalled();
    expect(messages(spies.warn)).toEqual(["w"]);
  });

  it("the CLI logger writes every level to stderr (console.error)", () => {
    const spies = spyConsole();
    Effect.runSync(logEveryLevel.pipe(Effect.provide(jsonLogsToStderr(LogLevel.Debug))));
    expect(messages(spies.error)).toEqual(["d", "i", "w", "e", "f"]);
    expect(spies.info).not.toHaveBeenCalled();
  });
});
