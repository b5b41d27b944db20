/**
 * The scheduler process's environment: one zod schema (`SchedulerEnvVars`), each variable with
 * its default and unit in its description; `readSchedulerEnv` parses it (a bad value throws an
 * EnvError naming the variable and the value). The all-in-one start composes `schedulerFields`.
 */
import { z } from "zod";
import { intVar, parseEnv, sharedEnv } from "@hps/contracts";

/** The variables of a scheduler that also apply when it runs inside the all-in-one start. */
export const schedulerFields = {
  SCHEDULER_POLL_MS: intVar({ min: 10, max: 3_600_000, default: 1000, description: "fallback poll of the reconciler, ms (it is also woken by Postgres NOTIFY)" }),
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
  logLevel: string;
}

export function readSchedulerEnv(env: Record<string, string | undefined> = process.env): SchedulerEnv {
  const v = parseEnv(SchedulerEnvVars, env, "scheduler");
  return { databaseUrl: v.DATABASE_URL, redisUrl: v.REDIS_URL, prefix: v.HPS_QUEUE_PREFIX, pollMs: v.SCHEDULER_POLL_MS, logLevel: v.LOG_LEVEL };
}
