import { describe, expect, it } from "vitest";
import { readSchedulerEnv } from "./env.ts";

const base = { DATABASE_URL: "postgresql://u@h/db", REDIS_URL: "rediss://h:6380" };

describe("readSchedulerEnv", () => {
  it("applies the documented defaults and reads every variable", () => {
    expect(readSchedulerEnv(base)).toEqual({ databaseUrl: base.DATABASE_URL, redisUrl: base.REDIS_URL, prefix: "hps", pollMs: 1000, lostJobAfterMs: 15_000, logLevel: "info" });
    expect(readSchedulerEnv({ ...base, SCHEDULER_POLL_MS: "250", SCHEDULER_LOST_JOB_MS: "5000", HPS_QUEUE_PREFIX: "s", LOG_LEVEL: "error" })).toMatchObject({ pollMs: 250, lostJobAfterMs: 5000, prefix: "s", logLevel: "error" });
  });

  it("validates SCHEDULER_POLL_MS (it was read unvalidated), naming it", () => {
    expect(() => readSchedulerEnv({ ...base, SCHEDULER_POLL_MS: "soon" })).toThrow(/SCHEDULER_POLL_MS="soon": expected an integer in \[10, 3600000\]/);
    expect(() => readSchedulerEnv({ ...base, SCHEDULER_POLL_MS: "5" })).toThrow(/SCHEDULER_POLL_MS="5"/);
  });
});
