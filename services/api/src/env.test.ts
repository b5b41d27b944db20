import { describe, expect, it } from "vitest";
import { EnvError } from "@hps/contracts";
import { readEnv } from "./env.ts";

describe("readEnv", () => {
  it("applies the documented defaults", () => {
    expect(readEnv({})).toEqual({
      port: 3000,
      host: "0.0.0.0",
      queuePrefix: "hps",
      apiKeys: [],
      apiKeyHashes: [],
      readKeys: [],
      corsOrigins: [],
      rateLimit: { windowMs: 60_000, perIp: 120, perKey: 60 },
      trustProxy: false,
      logLevel: "info",
      bodyLimit: 1024 * 1024,
      trialMemoryBytes: 1536 * 2 ** 20,
      datasetLimitMb: 64,
    });
  });

  it("reads every variable; HPS_API_KEYS is comma-separated; VAR= is unset", () => {
    const env = readEnv({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgresql://x@h/db",
      REDIS_URL: "redis://h:6379",
      HPS_QUEUE_PREFIX: "p1",
      HPS_API_KEYS: " a, b ,,c ",
      LOG_LEVEL: "debug",
      HPS_BODY_LIMIT: "2048",
      HPS_DATASET_LIMIT_MB: "5",
      HPS_DASHBOARD_DIR: "",
      HPS_TRIAL_MEMORY_MB: "512",
      HPS_API_KEY_HASHES: "A".repeat(64) + ",",
      HPS_READ_KEYS: "r1,r2",
      HPS_CORS_ORIGINS: "https://ui.example.com, http://localhost:5173",
      HPS_RATE_LIMIT_WINDOW_MS: "1000",
      HPS_RATE_LIMIT_PER_IP: "0",
      HPS_RATE_LIMIT_PER_KEY: "5",
      HPS_TRUST_PROXY: "true",
    });
    expect(env).toEqual({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: "postgresql://x@h/db",
      redisUrl: "redis://h:6379",
      queuePrefix: "p1",
      apiKeys: ["a", "b", "c"],
      apiKeyHashes: ["A".repeat(64)],
      readKeys: ["r1", "r2"],
      corsOrigins: ["https://ui.example.com", "http://localhost:5173"],
      rateLimit: { windowMs: 1000, perIp: 0, perKey: 5 },
      trustProxy: true,
      logLevel: "debug",
      bodyLimit: 2048,
      trialMemoryBytes: 512 * 2 ** 20,
      datasetLimitMb: 5,
    });
  });

  it("rejects bad values, naming the variable and the value", () => {
    expect(() => readEnv({ PORT: "http" })).toThrow(/PORT="http": expected an integer in \[0, 65535\]/);
    expect(() => readEnv({ HPS_BODY_LIMIT: "-1" })).toThrow(/HPS_BODY_LIMIT="-1"/);
    expect(() => readEnv({ DATABASE_URL: "mysql://h/db" })).toThrow(/DATABASE_URL="mysql:\/\/h\/db": expected a postgresql:\/\/ URL/);
    expect(() => readEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL="loud"/);
    expect(() => readEnv({ HPS_API_KEY_HASHES: "abc" })).toThrow(/HPS_API_KEY_HASHES="abc": each item must be 64 hex digits/);
    expect(() => readEnv({ HPS_CORS_ORIGINS: "*" })).toThrow(/HPS_CORS_ORIGINS="\*": each item must be an origin/);
    expect(() => readEnv({ HPS_CORS_ORIGINS: "https://a.example/path" })).toThrow(/HPS_CORS_ORIGINS/);
    expect(() => readEnv({ HPS_TRUST_PROXY: "yes" })).toThrow(/HPS_TRUST_PROXY="yes": expected true or false/);
  });

  it("names every bad variable at once", () => {
    try {
      readEnv({ PORT: "x", HPS_BODY_LIMIT: "1" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(EnvError);
      expect((err as EnvError).issues.map((i) => i.variable)).toEqual(["PORT", "HPS_BODY_LIMIT"]);
    }
  });
});
