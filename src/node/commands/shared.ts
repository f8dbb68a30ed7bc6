/**
 * What every CLI command shares: output, usage errors, log level, the pipeline layer.
 */
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import * as Layer from "effect/Layer";
import * as LogLevel from "effect/LogLevel";
import * as Option from "effect/Option";
import type { BackfillParams } from "../../core/backfill/range";
import { appConfigFromVars } from "../../core/config/app-config";
import { markInterruptedCaptures } from "../../core/pipeline/run-owner";
import { dbConfigFromEnv } from "../database";
import { RunOwnerCli } from "../run-owner";
import { nodePipelineLayer } from "../runtime";

/** A CLI command: parses its own arguments and returns the exit code. */
export interface Command {
  readonly name: string;
  /** One or more usage lines, shown by `dataspine --help`. */
  readonly usage: string;
  readonly run: (argv: ReadonlyArray<string>) => Promise<number>;
  /** Set on the commands that never open the database (no reachability check before them). */
  readonly offline?: true;
}

/** Bad usage or input: printed with the usage text, exit code 2. */
export class UsageError extends Error {}

/**
 * A command's arguments (`parseArgs`, strict): positionals, its own `options` and `--json`,
 * which every command takes.
 */
export const commandArgs = <O extends ParseArgsOptionsConfig>(
  argv: ReadonlyArray<string>,
  options: O,
) =>
  parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { ...options, json: { type: "boolean", default: false } },
  });

/** The options of a date-range command (backfill, replay): `--start`, `--end`, `--param k=v`…. */
export const RANGE_OPTIONS = {
  start: { type: "string" },
  end: { type: "string" },
  param: { type: "string", multiple: true, default: [] as Array<string> },
} as const;

/** `k=v` pairs as an object; a pair without `=` or a repeated key is bad usage. */
export const parseParams = (pairs: ReadonlyArray<string>): BackfillParams => {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at < 1) throw new UsageError(`--param must be k=v, got "${pair}"`);
    const key = pair.slice(0, at);
    if (Object.hasOwn(params, key)) throw new UsageError(`--param ${key} given twice`);
    params[key] = pair.slice(at + 1);
  }
  return params;
};

/** The pipeline, range and params of a date-range `command`; a missing one is bad usage. */
export const rangeRequest = (
  command: string,
  positionals: ReadonlyArray<string>,
  values: { readonly start?: string; readonly end?: string; readonly param: Array<string> },
) => {
  const pipeline = positionals[0];
  if (!pipeline || !values.start || !values.end) {
    throw new UsageError(`${command} needs <pipeline>, --start and --end`);
  }
  return { pipeline, start: values.start, end: values.end, params: parseParams(values.param) };
};

/** Writes the result: exactly one JSON document with `--json`, the human text otherwise. */
export const print = (json: boolean, value: unknown, human: string) => {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
};

/** `LOG_LEVEL` (default WARN: the CLI prints results, logs are for diagnosis). */
export const logLevel = (): LogLevel.LogLevel =>
  Option.getOrElse(appConfigFromVars(process.env).logLevel, () => LogLevel.Warning);

/**
 * The pipeline services over the environment's database, with extra variables, and this
 * process as the owner of its runs. Building it marks the captures that CLI processes which
 * died left `running` as interrupted.
 */
export const cliLayer = (vars: Readonly<Record<string, string | undefined>> = {}) =>
  Layer.effectDiscard(
    markInterruptedCaptures().pipe(
      Effect.catchAll((error) => Effect.logWarning("interrupted capture sweep failed", error)),
    ),
  ).pipe(
    Layer.provideMerge(
      Layer.merge(
        nodePipelineLayer({
          db: dbConfigFromEnv(),
          vars: { ...process.env, ...vars },
          logLevel: logLevel(),
        }),
        RunOwnerCli,
      ),
    ),
  );

/** Resolves once SIGINT or SIGTERM arrives, then runs `close`. */
export const serveUntilSignal = async (close: () => Promise<void>) => {
  await new Promise<void>((resolveSignal) => {
    process.once("SIGINT", () => resolveSignal());
    process.once("SIGTERM", () => resolveSignal());
  });
  await close();
  return 0;
};

/**
 * Runs a synchronous planning step (a backfill or replay plan). A typed failure (bad range,
 * unknown pipeline, bad params) is printed and yields `undefined`: the command exits 2.
 */
export const planOrReport = <A, Err extends { readonly _tag: string; readonly message: string }>(
  json: boolean,
  plan: Effect.Effect<A, Err>,
): A | undefined => {
  const planned = Effect.runSyncExit(plan);
  if (Exit.isSuccess(planned)) return planned.value;
  if (planned.cause._tag !== "Fail") throw new Error(String(planned.cause));
  const error = planned.cause.error;
  print(json, { error: error._tag, message: error.message }, `error: ${error.message}`);
  return undefined;
};
