import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@hps/db/test-kit";
import { readEnv, startApi } from "./server.ts";

describe("readEnv", () => {
  it("applies the documented defaults", () => {
    expect(readEnv({})).toEqual({ port: 3000, host: "0.0.0.0", apiKeys: [], logLevel: "info", bodyLimit: 1024 * 1024 });
  });

  it("reads every variable; HPS_API_KEYS is comma-separated", () => {
    const env = readEnv({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATABASE_URL: "postgresql://x@h/db",
      REDIS_URL: "redis://h:6379",
      HPS_API_KEYS: " a, b ,,c ",
      LOG_LEVEL: "debug",
      HPS_BODY_LIMIT: "2048",
    });
    expect(env).toEqual({
      port: 8080,
      host: "127.0.0.1",
      databaseUrl: "postgresql://x@h/db",
      redisUrl: "redis://h:6379",
      apiKeys: ["a", "b", "c"],
      logLevel: "debug",
      bodyLimit: 2048,
    });
  });

  it("rejects bad numbers, naming the variable and the value", () => {
    expect(() => readEnv({ PORT: "http" })).toThrow(/PORT .*"http"/);
    expect(() => readEnv({ HPS_BODY_LIMIT: "-1" })).toThrow(/HPS_BODY_LIMIT/);
  });
});

describe("startApi", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it("listens on a real socket, reads the BullMQ queue on REDIS_URL, and closes idempotently", async () => {
    const api = await startApi({ databaseUrl: db.url, port: 0, host: "127.0.0.1", redisUrl: process.env.REDIS_URL!, logger: false });
    try {
      const ready = await fetch(`${api.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready", checks: { postgres: "ok", queue: "ok" } });
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics).toMatch(/^hps_queue_depth \d+$/m);
    } finally {
      await api.close();
      await api.close();
    }
    await expect(fetch(`${api.url}/healthz`)).rejects.toThrow();
  });
});
