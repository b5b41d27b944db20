/**
 * The scheduler process's environment: one zod schema (`SchedulerEnvVars`), each variable with
 * its default and unit in its description; `readSchedulerEnv` parses it (a bad value throws an
 * EnvError naming the variable and the value). The all-in-one start composes `schedulerFields`.
 */
import { z } from "zod";
import { intVar, parseEnv, sharedEnv } from "@hps/contracts";
import { DEFAULT_LOST_JOB_AFTER_MS } from "./reconciler.ts";

/** The variables of a scheduler that also apply when it runs inside the all-in-one start. */
export const schedulerFields = {
  SCHEDULER_POLL_MS: intVar({ min: 10, max: 3_600_000, default: 1000, description: "fallback poll of the reconciler, ms (it is also woken by Postgres NOTIFY)" }),
  SCHEDULER_LOST_JOB_MS: intVar({
    min: 1000,
    max: 3_600_000,
    default: DEFAULT_LOST_JOB_AFTER_MS,
    description: "a queued trial handed to the queue this long ago, or a running one silent this long, is enqueued again (same job id: a no-op while its job exists), ms; after Redis loses its data, lost trials are back in the queue within 2× this",
  }),
};

export const SchedulerEnvVars = z.object({
  DATABASE_URL: sharedEnv.DATABASE_URL,
  REDIS_URL: sharedEnv.REDIS_URL,
  HPS_QUEUE_PREFIX: sharedEnv.HPS_QUEUE_PREFIX,
  ...schedulerFields,
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
});

export interface SchedulerEnv {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  pollMs: number;
  lostJobAfterMs: number;
  logLevel: string;
}

export function readSchedulerEnv(env: Record<string, string | undefined> = process.env): SchedulerEnv {
  const v = parseEnv(SchedulerEnvVars, env, "scheduler");
  return { databaseUrl: v.DATABASE_URL, redisUrl: v.REDIS_URL, prefix: v.HPS_QUEUE_PREFIX, pollMs: v.SCHEDULER_POLL_MS, lostJobAfterMs: v.SCHEDULER_LOST_JOB_MS, logLevel: v.LOG_LEVEL };
}
