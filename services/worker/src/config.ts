/** The worker process's environment, validated (a bad value throws naming the variable). */
import { availableParallelism, hostname } from "node:os";

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl: string;
  concurrency: number;
  lockMs: number;
  shutdownGraceMs: number;
  prefix: string | undefined;
  logLevel: string;
  workerId: string;
}

export function readWorkerEnv(env: NodeJS.ProcessEnv = process.env): WorkerEnv {
  return {
    databaseUrl: required(env, "DATABASE_URL"),
    redisUrl: required(env, "REDIS_URL"),
    concurrency: int(env, "WORKER_CONCURRENCY", availableParallelism(), 1, 256),
    lockMs: int(env, "WORKER_LOCK_MS", 30_000, 1000, 3_600_000),
    shutdownGraceMs: int(env, "WORKER_SHUTDOWN_GRACE_MS", 25_000, 0, 3_600_000),
    prefix: env.HPS_QUEUE_PREFIX || undefined,
    logLevel: env.LOG_LEVEL || "info",
    workerId: env.HPS_WORKER_ID || `${hostname()}:${process.pid}`,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`${name} is required for the worker (embedded mode runs it through \`pnpm start\`)`);
  return v;
}

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return def;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`invalid ${name}=${JSON.stringify(raw)}: expected an integer in [${min}, ${max}]`);
  return v;
}
