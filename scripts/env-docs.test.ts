/**
 * The configuration is one schema per process: the README's table is what the schemas say,
 * and the shared variables behave the same in every process.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readEnv } from "@hps/api";
import { readSchedulerEnv } from "@hps/scheduler";
import { readWorkerEnv } from "@hps/worker";
import { generatedTable, README, readmeTable } from "./env-docs.ts";
import { readStartEnv } from "./start-env.ts";

const urls = { DATABASE_URL: "postgresql://u@h/db", REDIS_URL: "redis://h:6379" };
const readers = {
  api: readEnv,
  scheduler: readSchedulerEnv,
  worker: readWorkerEnv,
  start: readStartEnv,
} as const;

describe("configuration", () => {
  it("the README's table is the one generated from the env schemas (run `pnpm docs:env`)", () => {
    expect(readmeTable(readFileSync(README, "utf8"))).toBe(generatedTable());
  });

  it("documents every variable each process reads, with a description", () => {
    const table = generatedTable();
    for (const v of ["PORT", "DATABASE_URL", "REDIS_URL", "HPS_QUEUE_PREFIX", "WORKER_LOCK_MS", "SCHEDULER_POLL_MS", "HPS_DATA_DIR"]) expect(table).toContain(`\`${v}\``);
    for (const line of table.split("\n").slice(2)) expect(line).not.toMatch(/\| $/);
  });

  it.each(Object.entries(readers))("%s refuses an empty HPS_QUEUE_PREFIX, naming it", (_name, read) => {
    expect(() => read({ ...urls, HPS_QUEUE_PREFIX: "" })).toThrow(/HPS_QUEUE_PREFIX="": expected 1–100 characters/);
    expect(() => read({ ...urls, HPS_QUEUE_PREFIX: "a b" })).toThrow(/HPS_QUEUE_PREFIX="a b"/);
  });

  it("the start reads the worker's lock, grace and concurrency and the scheduler's poll like the processes alone", () => {
    const env = { ...urls, WORKER_LOCK_MS: "4000", WORKER_SHUTDOWN_GRACE_MS: "7", WORKER_CONCURRENCY: "2", SCHEDULER_POLL_MS: "50", HPS_QUEUE_PREFIX: "x" };
    const start = readStartEnv(env);
    const worker = readWorkerEnv(env);
    expect(start).toMatchObject({ lockMs: worker.lockMs, shutdownGraceMs: worker.shutdownGraceMs, concurrency: worker.concurrency, pollMs: readSchedulerEnv(env).pollMs });
    expect(start.api.queuePrefix).toBe(worker.prefix);
    expect(() => readStartEnv({ WORKER_LOCK_MS: "10" })).toThrow(/WORKER_LOCK_MS="10"/);
  });

  it("start and api run without Postgres and Redis URLs (embedded mode); worker and scheduler do not", () => {
    expect(readStartEnv({}).api.databaseUrl).toBeUndefined();
    expect(readEnv({}).redisUrl).toBeUndefined();
    expect(() => readWorkerEnv({})).toThrow(/DATABASE_URL: is required/);
    expect(() => readSchedulerEnv({})).toThrow(/REDIS_URL: is required/);
  });
});
