/**
 * The all-in-one `pnpm start`'s environment: the API's, the worker's and the scheduler's
 * variables composed into one zod schema (`StartEnvVars`), plus its own (embedded Postgres).
 * Postgres and Redis are optional here: unset, it runs an embedded Postgres and the in-process queue.
 */
import { z } from "zod";
import { apiEnvFields, apiEnvOf, type ApiEnv } from "@hps/api";
import { intVar, parseEnv, redisUrlVar, stringVar } from "@hps/contracts";
import { schedulerFields } from "@hps/scheduler";
import { resolveKernelPath, type KernelPath } from "@hps/core";
import { workerFields } from "@hps/worker";

export const StartEnvVars = z.object({
  ...apiEnvFields,
  REDIS_URL: redisUrlVar({ required: false, description: "Redis URL (redis://…): set → BullMQ dispatcher and consumer; unset → the in-process queue" }),
  ...workerFields,
  ...schedulerFields,
  HPS_DATA_DIR: stringVar({ default: ".hps-data", description: "directory of the embedded Postgres's data (`<dir>/postgres`, reused across runs)" }),
  HPS_PG_PORT: intVar({ min: 1, max: 65535, default: 54329, description: "TCP port of the embedded Postgres" }),
});

export interface StartEnv {
  api: ApiEnv;
  concurrency: number;
  lockMs: number;
  shutdownGraceMs: number;
  pollMs: number;
  lostJobAfterMs: number;
  /** HPS_KERNEL_PATH resolved on this runtime, as the worker process resolves it. */
  kernelPath: KernelPath;
  dataDir: string;
  pgPort: number;
}

export function readStartEnv(env: Record<string, string | undefined> = process.env): StartEnv {
  const v = parseEnv(StartEnvVars, env, "all-in-one start");
  return {
    api: apiEnvOf(v),
    concurrency: v.WORKER_CONCURRENCY,
    lockMs: v.WORKER_LOCK_MS,
    shutdownGraceMs: v.WORKER_SHUTDOWN_GRACE_MS,
    pollMs: v.SCHEDULER_POLL_MS,
    lostJobAfterMs: v.SCHEDULER_LOST_JOB_MS,
    kernelPath: resolveKernelPath(v.HPS_KERNEL_PATH),
    dataDir: v.HPS_DATA_DIR,
    pgPort: v.HPS_PG_PORT,
  };
}
