/**
 * The API process's environment: one zod schema (`ApiEnvVars`), each variable with its
 * default and unit in its description; `readEnv` parses it (a bad value throws an EnvError
 * naming the variable and the value) and maps it to the options `startApi` takes.
 * The all-in-one start composes `apiEnvFields` into its own schema.
 */
import { z } from "zod";
import { databaseUrlVar, intVar, listVar, parseEnv, redisUrlVar, sharedEnv, stringVar } from "@hps/contracts";
import { DEFAULT_BODY_LIMIT } from "./app.ts";
import { DEFAULT_DATASET_LIMIT_MB } from "./csv-upload.ts";

export const apiEnvFields = {
  PORT: intVar({ min: 0, max: 65535, default: 3000, description: "TCP port the API listens on (0 = any free port)" }),
  HOST: stringVar({ default: "0.0.0.0", description: "interface the API listens on" }),
  DATABASE_URL: databaseUrlVar({ required: false, description: "Postgres connection URL (postgresql://…); unset → embedded Postgres under ./.hps-data/postgres" }),
  REDIS_URL: redisUrlVar({ required: false, description: "Redis of the BullMQ queue, for the queue depth in /readyz and /metrics; unset → not reported" }),
  HPS_QUEUE_PREFIX: sharedEnv.HPS_QUEUE_PREFIX,
  HPS_API_KEYS: listVar({ description: "comma-separated bearer keys; when set, mutating routes need `Authorization: Bearer <key>` (unset → no auth)" }),
  HPS_BODY_LIMIT: intVar({ min: 1024, max: 64 * 1024 * 1024, default: DEFAULT_BODY_LIMIT, description: "request body limit, bytes (larger → 413)" }),
  HPS_TRIAL_MEMORY_MB: sharedEnv.HPS_TRIAL_MEMORY_MB,
  HPS_DATASET_LIMIT_MB: intVar({ min: 1, max: 1024, default: DEFAULT_DATASET_LIMIT_MB, description: "largest CSV accepted by POST /v1/datasets, MiB (larger → 413)" }),
  HPS_DASHBOARD_DIR: stringVar({ defaultText: "services/dashboard/public", description: "directory of the dashboard's static files, served at `/`" }),
  LOG_LEVEL: sharedEnv.LOG_LEVEL,
};

export const ApiEnvVars = z.object(apiEnvFields);
export type ApiEnvVars = z.output<typeof ApiEnvVars>;

export interface ApiEnv {
  port: number;
  host: string;
  databaseUrl?: string;
  redisUrl?: string;
  queuePrefix: string;
  apiKeys: string[];
  logLevel: string;
  bodyLimit: number;
  dashboardDir?: string;
  /** Largest estimated trial memory a spec may need, bytes. */
  trialMemoryBytes: number;
  /** Largest CSV upload, MiB. */
  datasetLimitMb: number;
}

/** The API's options from parsed variables (also used by the all-in-one start on its own parse). */
export function apiEnvOf(v: z.output<z.ZodObject<typeof apiEnvFields>>): ApiEnv {
  return {
    port: v.PORT,
    host: v.HOST ?? "0.0.0.0",
    ...(v.DATABASE_URL ? { databaseUrl: v.DATABASE_URL } : {}),
    ...(v.REDIS_URL ? { redisUrl: v.REDIS_URL } : {}),
    queuePrefix: v.HPS_QUEUE_PREFIX,
    apiKeys: v.HPS_API_KEYS,
    logLevel: v.LOG_LEVEL,
    bodyLimit: v.HPS_BODY_LIMIT,
    trialMemoryBytes: v.HPS_TRIAL_MEMORY_MB * 2 ** 20,
    datasetLimitMb: v.HPS_DATASET_LIMIT_MB,
    ...(v.HPS_DASHBOARD_DIR ? { dashboardDir: v.HPS_DASHBOARD_DIR } : {}),
  };
}

/** Reads and validates the environment; errors name the variable and the value. */
export function readEnv(env: Record<string, string | undefined> = process.env): ApiEnv {
  return apiEnvOf(parseEnv(ApiEnvVars, env, "api"));
}
