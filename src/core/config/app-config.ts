/**
 * `AppConfig`: every setting of the app, read once through `effect/Config` from the host's
 * variables (the Worker's vars and secrets, the process environment on Node and Deno). A value
 * that does not parse is an `InvalidConfig` naming the variable; secrets are `Redacted`.
 * Every variable with its default: docs/configuration.md.
 */
import * as Config from "effect/Config";
import type * as ConfigError from "effect/ConfigError";
import * as ConfigProvider from "effect/ConfigProvider";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Layer from "effect/Layer";
import type * as LogLevel from "effect/LogLevel";
import * as Option from "effect/Option";
import { defaultRetryPolicy } from "../ingest/retry";
import { TaggedHttpError } from "../model/tagged-http-error";
import { logLevel } from "./config-values";
import {
  type AlarmSettings,
  type AlertSettings,
  alarmSettings,
  alertSettings,
  type DetectionSettings,
  detectionSettings,
  type HttpSettings,
  httpSettings,
  type LibsqlSettings,
  libsqlSettings,
  type QualityGateSettings,
  qualityGateSettings,
  type SourceSettings,
  sourceSettings,
} from "./sections";

export type {
  AlarmSettings,
  AlertRetryPolicy,
  AlertSettings,
  DetectionSettings,
  HttpSettings,
  LibsqlSettings,
  QualityGateSettings,
  SourceSettings,
} from "./sections";

export { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_QUARANTINE_RATIO } from "./sections";

/** The host's variables by name, as the app reads them. */
export type ConfigVars = Readonly<Record<string, string | undefined>>;

/** A variable of the app's configuration does not parse; the message names it. */
export class InvalidConfig extends TaggedHttpError<InvalidConfig>()("InvalidConfig", 500) {}

/** The settings of the current runtime. */
export interface AppConfigShape {
  readonly sources: SourceSettings;
  readonly detection: DetectionSettings;
  readonly qualityGate: QualityGateSettings;
  /** Retries of a transiently failed run across invocations (actor alarms). */
  readonly alarm: AlarmSettings;
  readonly alerts: AlertSettings;
  readonly http: HttpSettings;
  readonly libsql: LibsqlSettings;
  /** `LOG_LEVEL`; unset: the host's default (INFO on Workers and Deno, WARN in the CLI). */
  readonly logLevel: Option.Option<LogLevel.LogLevel>;
}

/** The whole configuration as one `Config`: every invalid variable is reported at once. */
export const appConfig: Config.Config<AppConfigShape> = Config.all({
  sources: sourceSettings(defaultRetryPolicy),
  detection: detectionSettings,
  qualityGate: qualityGateSettings,
  alarm: alarmSettings,
  alerts: alertSettings,
  http: httpSettings,
  libsql: libsqlSettings,
  logLevel: Config.map(logLevel("LOG_LEVEL"), Option.fromNullable),
});

/** Each invalid variable as `NAME: what is wrong`, one per line. */
const describe = (error: ConfigError.ConfigError): string => {
  switch (error._op) {
    case "And":
    case "Or":
      return `${describe(error.left)}\n${describe(error.right)}`;
    case "InvalidData":
    case "MissingData":
    case "Unsupported":
      return `${error.path.join(".")}: ${error.message}`;
    case "SourceUnavailable":
      return `configuration unavailable: ${error.message}`;
  }
};

const invalidConfig = (error: ConfigError.ConfigError) =>
  new InvalidConfig({
    message: `invalid configuration: ${describe(error).split("\n").join("; ")}`,
  });

/** The bindings of a host that hold strings (vars, secrets); other bindings are skipped. */
export const varsOf = (bindings: object): ConfigVars =>
  Object.fromEntries(
    Object.entries(bindings).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );

/** The variables as a `ConfigProvider`. */
export const configProviderOf = (vars: ConfigVars): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(
      Object.entries(vars).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  );

/** The app's settings from the current `ConfigProvider`. */
const load = Effect.mapError(appConfig, invalidConfig);

/** The app's settings, one service for the runtime. */
export class AppConfig extends Effect.Service<AppConfig>()("dataspine/AppConfig", {
  effect: load,
}) {
  /** The settings read from `vars`. */
  static readonly fromVars = (vars: ConfigVars) =>
    Layer.effect(
      AppConfig,
      Effect.withConfigProvider(load, configProviderOf(vars)).pipe(Effect.map(AppConfig.make)),
    );

  /** Given settings, already read (a host that validated them at startup, a test). */
  static readonly fromSettings = (settings: AppConfigShape) =>
    Layer.succeed(AppConfig, AppConfig.make(settings));
}

/** Reads the settings from `vars` now: the settings, or what is invalid. */
export const readAppConfig = (vars: ConfigVars): Either.Either<AppConfigShape, InvalidConfig> =>
  Effect.runSync(Effect.either(Effect.withConfigProvider(load, configProviderOf(vars))));

/** Reads the settings from `vars`, throwing `InvalidConfig` when one does not parse. */
export const appConfigFromVars = (vars: ConfigVars): AppConfigShape =>
  Either.getOrThrowWith(readAppConfig(vars), (error) => error);
