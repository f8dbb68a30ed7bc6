/**
 * `AppConfig`: defaults, every invalid variable named in one `InvalidConfig`, secrets that never
 * reach a printed value, and the settings read from a Worker-like bindings object.
 */
import { inspect } from "node:util";
import { Effect, Option, Redacted } from "effect";
import { describe, expect, it } from "vitest";
import {
  AppConfig,
  appConfigFromVars,
  InvalidConfig,
  readAppConfig,
  varsOf,
} from "../../src/core/config/app-config";

const SECRETS = {
  DATASPINE_API_TOKEN: "write-secret-1",
  DATASPINE_READ_TOKEN: "read-secret-2",
  LIBSQL_AUTH_TOKEN: "libsql-secret-3",
  POLYGON_API_KEY: "polygon-secret-4",
  ALERT_WEBHOOK_URL: "https://hooks.example/T0/secret-5",
};

describe("AppConfig", () => {
  it("gives the documented defaults when nothing is set", () => {
    const config = appConfigFromVars({});
    expect(config.sources).toMatchObject({
      polygonBaseUrl: "http://127.0.0.1:8790",
      tradesBaseUrl: "http://127.0.0.1:8790",
      liveUniverses: ["demo"],
      liveClients: [],
      fetchConcurrency: 4,
      requestTimeoutMs: 15_000,
    });
    expect(config.alarm).toEqual({ maxRetries: 5, baseDelayMs: 30_000, maxDelayMs: 900_000 });
    expect(config.http).toMatchObject({ publicReads: false, maxBodyBytes: 1_048_576 });
    expect(Option.isNone(config.http.apiToken)).toBe(true);
    expect(config.alerts).toMatchObject({ logMinSeverity: "LOW", batchSize: 50 });
    expect(config.alerts.webhook).toBeUndefined();
    expect(Option.isNone(config.libsql.url)).toBe(true);
  });

  it("reads set values: lists trimmed, base URLs without a trailing slash, blank = unset", () => {
    const config = appConfigFromVars({
      MARKET_DATA_BASE_URL: "https://api.example/",
      FINRA_BASE_URL: " ",
      LIVE_UNIVERSES: " demo , sp500 ,",
      ALARM_MAX_ATTEMPTS: "0",
      ALARM_BASE_DELAY_MS: "1000",
      DATASPINE_PUBLIC_READS: "yes",
      DATASPINE_MAX_BODY_BYTES: "2048",
      ALERT_LOG_MIN_SEVERITY: "off",
      LOG_LEVEL: "warn",
    });
    expect(config.sources.polygonBaseUrl).toBe("https://api.example");
    expect(config.sources.finraBaseUrl).toBe("https://api.example");
    expect(config.sources.liveUniverses).toEqual(["demo", "sp500"]);
    expect(config.alarm).toMatchObject({ maxRetries: 0, baseDelayMs: 1000 });
    expect(config.http).toMatchObject({ publicReads: true, maxBodyBytes: 2048 });
    expect(config.alerts.logMinSeverity).toBeUndefined();
    expect(Option.map(config.logLevel, (l) => l.label)).toEqual(Option.some("WARN"));
  });

  it("reports every invalid variable at once, by name", () => {
    const read = readAppConfig({
      FETCH_CONCURRENCY: "0",
      ALARM_MAX_ATTEMPTS: "many",
      DATASPINE_PUBLIC_READS: "perhaps",
      ALERT_WEBHOOK_MIN_SEVERITY: "LOUD",
      QUALITY_GATE_MAX_QUARANTINE_RATIO: "1.5",
    });
    if (read._tag === "Right") throw new Error("expected InvalidConfig");
    expect(read.left).toBeInstanceOf(InvalidConfig);
    for (const name of [
      "FETCH_CONCURRENCY",
      "ALARM_MAX_ATTEMPTS",
      "DATASPINE_PUBLIC_READS",
      "ALERT_WEBHOOK_MIN_SEVERITY",
      "QUALITY_GATE_MAX_QUARANTINE_RATIO",
    ]) {
      expect(read.left.message).toContain(`${name}: `);
    }
  });

  it("keeps secrets Redacted: printed settings never hold them", () => {
    const config = appConfigFromVars(SECRETS);
    expect(Option.map(config.http.apiToken, Redacted.value)).toEqual(Option.some("write-secret-1"));
    expect(config.alerts.webhook && Redacted.value(config.alerts.webhook.url)).toBe(
      SECRETS.ALERT_WEBHOOK_URL,
    );
    const printed = [JSON.stringify(config), String(config), inspect(config)].join("\n");
    for (const secret of Object.values(SECRETS)) expect(printed).not.toContain(secret);
  });

  it("never echoes a secret that does not parse", () => {
    const url = "ftp://user:secret-6@hooks.example/x";
    const read = readAppConfig({ ALERT_WEBHOOK_URL: url });
    if (read._tag === "Right") throw new Error("expected InvalidConfig");
    expect(read.left.message).toBe(
      "invalid configuration: ALERT_WEBHOOK_URL: must be an http(s) URL",
    );
    expect(read.left.message).not.toContain("secret-6");
  });

  it("reads a Worker's bindings: string values only, other bindings skipped", async () => {
    const bindings = {
      LIBSQL_URL: "http://127.0.0.1:8080",
      LATENCY_SLA_MINUTES: "7",
      PARTITION_ACTOR: { idFromName: () => "id" },
    };
    const vars = varsOf(bindings);
    expect(vars).toEqual({ LIBSQL_URL: "http://127.0.0.1:8080", LATENCY_SLA_MINUTES: "7" });
    const config = await Effect.runPromise(Effect.provide(AppConfig, AppConfig.fromVars(vars)));
    expect(config.detection.latencySlaMinutes).toBe(7);
    expect(config.libsql.url).toEqual(Option.some("http://127.0.0.1:8080"));
  });

  it("fails the layer with InvalidConfig", async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(AppConfig, AppConfig.fromVars({ REQUEST_TIMEOUT_MS: "soon" })),
    );
    expect(exit._tag).toBe("Failure");
    if (exit._tag === "Failure") {
      expect(String(exit.cause)).toContain("REQUEST_TIMEOUT_MS: must be an integer");
    }
  });
});
