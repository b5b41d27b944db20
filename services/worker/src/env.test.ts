import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { readWorkerEnv } from "./env.ts";

const base = { DATABASE_URL: "postgresql://u@h/db", REDIS_URL: "redis://h:6379" };

describe("readWorkerEnv", () => {
  it("applies the documented defaults", () => {
    expect(readWorkerEnv(base)).toEqual({
      databaseUrl: base.DATABASE_URL,
      redisUrl: base.REDIS_URL,
      concurrency: availableParallelism(),
      lockMs: 30_000,
      shutdownGraceMs: 25_000,
      prefix: "hps",
      logLevel: "info",
      workerId: expect.stringMatching(new RegExp(`:${process.pid}$`)),
      trialMemoryBytes: 1536 * 2 ** 20,
      datasetCacheDir: expect.stringMatching(/hps-datasets$/),
    });
  });

  it("reads every variable", () => {
    const env = readWorkerEnv({ ...base, WORKER_CONCURRENCY: "3", WORKER_LOCK_MS: "5000", WORKER_SHUTDOWN_GRACE_MS: "0", HPS_QUEUE_PREFIX: "q", LOG_LEVEL: "warn", HPS_WORKER_ID: "w1" });
    expect(env).toMatchObject({ concurrency: 3, lockMs: 5000, shutdownGraceMs: 0, prefix: "q", logLevel: "warn", workerId: "w1" });
  });

  it("requires DATABASE_URL and REDIS_URL, naming them", () => {
    expect(() => readWorkerEnv({ REDIS_URL: base.REDIS_URL })).toThrow(/DATABASE_URL: is required/);
    expect(() => readWorkerEnv({ DATABASE_URL: base.DATABASE_URL, REDIS_URL: "" })).toThrow(/REDIS_URL="": is required/);
  });

  it("rejects bad numbers, naming the variable and the value", () => {
    expect(() => readWorkerEnv({ ...base, WORKER_LOCK_MS: "999" })).toThrow(/WORKER_LOCK_MS="999": expected an integer in \[1000, 3600000\]/);
    expect(() => readWorkerEnv({ ...base, WORKER_CONCURRENCY: "1.5" })).toThrow(/WORKER_CONCURRENCY="1.5"/);
  });
});
