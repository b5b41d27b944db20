/**
 * The worker process's environment: one zod schema (`WorkerEnvVars`), each variable with its
 * default and unit in its description; `readWorkerEnv` parses it (a bad value throws an
 * EnvError naming the variable and the value). The all-in-one start composes `workerFields`.
 */
import { availableParallelism, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { intVar, parseEnv, sharedEnv, stringVar } from "@hps/contracts";
import { KERNEL_PATHS, resolveKernelPath, runnableKernelPaths, type KernelPath } from "@hps/core";
import { DEFAULT_LOCK_MS } from "@hps/queue";

/** The variables of a worker that also apply when it runs inside the all-in-one start. */
export const workerFields = {
  WORKER_CONCURRENCY: intVar({ min: 1, max: 256, default: () => availableParallelism(), defaultText: "CPU cores", description: "trials trained at once (one worker thread each)" }),
  WORKER_LOCK_MS: intVar({
    min: 1000,
    max: 3_600_000,
    default: DEFAULT_LOCK_MS,
    description: "BullMQ job lock, ms: renewed every half of it, and the stalled-job check interval (a killed worker's trial is re-delivered after 1–2× this)",
  }),
  WORKER_SHUTDOWN_GRACE_MS: intVar({ min: 0, max: 3_600_000, default: 25_000, description: "time running trials get to finish on SIGTERM before they are handed back, ms" }),
  HPS_KERNEL_PATH: z
    .preprocess((v) => (v === "" ? undefined : v), z.enum(["auto", ...KERNEL_PATHS], { error: `expected auto|${KERNEL_PATHS.join("|")}` }).default("auto"))
    // Checked here so forcing fma where relaxed SIMD does not compile stops the worker at start-up
    // (exit 2, the variable named) instead of failing every trial in its training threads.
    .refine((v) => v === "auto" || runnableKernelPaths().includes(v), { error: "the FMA kernels need WebAssembly relaxed SIMD, which this runtime does not compile (Node ≥ 22, or Node 20 where V8's flag can be set)" })
    .describe("WebAssembly kernels of the training threads: auto (FMA where relaxed SIMD compiles, else SIMD128), fma (refuse to start where it does not), simd128 (the fallback, e.g. to compare or to rule the FMA path out)"),
};

export const WorkerEnvVars = z.object({
  DATABASE_URL: sharedEnv.DATABASE_URL,
  REDIS_URL: sharedEnv.REDIS_URL,
  HPS_QUEUE_PREFIX: sharedEnv.HPS_QUEUE_PREFIX,
  ...workerFields,
  HPS_TRIAL_MEMORY_MB: sharedEnv.HPS_TRIAL_MEMORY_MB,
  HPS_DATASET_CACHE_DIR: stringVar({ defaultText: "<tmpdir>/hps-datasets", description: "folder caching uploaded datasets by sha256 (each is fetched from Postgres once per process)" }),
  HPS_WORKER_ID: stringVar({ defaultText: "hostname:pid", description: "this worker's id, stored on the trials it runs" }),
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
});

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl: string;
  concurrency: number;
  lockMs: number;
  shutdownGraceMs: number;
  prefix: string;
  logLevel: string;
  workerId: string;
  /** Per-trial memory budget, bytes (each training thread's arena limit). */
  trialMemoryBytes: number;
  /** Uploaded datasets cached by sha256. */
  datasetCacheDir: string;
  /** The kernel path every training thread runs: HPS_KERNEL_PATH resolved on this runtime ("auto" → fma or simd128). */
  kernelPath: KernelPath;
}

export function readWorkerEnv(env: Record<string, string | undefined> = process.env): WorkerEnv {
  const v = parseEnv(WorkerEnvVars, env, "worker");
  return {
    databaseUrl: v.DATABASE_URL,
    redisUrl: v.REDIS_URL,
    concurrency: v.WORKER_CONCURRENCY,
    lockMs: v.WORKER_LOCK_MS,
    shutdownGraceMs: v.WORKER_SHUTDOWN_GRACE_MS,
    prefix: v.HPS_QUEUE_PREFIX,
    logLevel: v.LOG_LEVEL,
    workerId: v.HPS_WORKER_ID ?? `${hostname()}:${process.pid}`,
    trialMemoryBytes: v.HPS_TRIAL_MEMORY_MB * 2 ** 20,
    datasetCacheDir: v.HPS_DATASET_CACHE_DIR ?? join(tmpdir(), "hps-datasets"),
    kernelPath: resolveKernelPath(v.HPS_KERNEL_PATH),
  };
}
