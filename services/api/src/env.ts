/**
 * The API process's environment: one zod schema (`ApiEnvVars`), each variable with its
 * default and unit in its description; `readEnv` parses it (a bad value throws an EnvError
 * naming the variable and the value) and maps it to the options `startApi` takes.
 * The all-in-one start composes `apiEnvFields` into its own schema.
 */
import { z } from "zod";
import { boolVar, databaseUrlVar, intVar, listVar, parseEnv, redisUrlVar, sharedEnv, stringVar } from "@hps/contracts";
import type { RateLimitOptions } from "./rate-limit.ts";
import { DEFAULT_BODY_LIMIT } from "./app.ts";
import { DEFAULT_DATASET_LIMIT_MB } from "./csv-upload.ts";

export const apiEnvFields = {
  PORT: intVar({ min: 0, max: 65535, default: 3000, description: "TCP port the API listens on (0 = any free port)" }),
  HOST: stringVar({ default: "0.0.0.0", description: "interface the API listens on" }),
  DATABASE_URL: databaseUrlVar({ required: false, description: "Postgres connection URL (postgresql://…); unset → embedded Postgres under ./.hps-data/postgres" }),
  REDIS_URL: redisUrlVar({ required: false, description: "Redis of the BullMQ queue, for the queue depth in /readyz and /metrics; unset → not reported" }),
  HPS_QUEUE_PREFIX: sharedEnv.HPS_QUEUE_PREFIX,
  HPS_API_KEYS: listVar({ description: "comma-separated bearer keys; when set, mutating routes need `Authorization: Bearer <key>` (unset → no auth)" }),
  HPS_API_KEY_HASHES: listVar({
    description: "comma-separated SHA-256 hashes (64 hex digits) of further write keys, so plain keys need not sit in the environment (`printf %s KEY \\| sha256sum`)",
    item: z.string().regex(/^[0-9a-fA-F]{64}$/, { error: "each item must be 64 hex digits (a SHA-256)" }),
  }),
  HPS_READ_KEYS: listVar({ description: "comma-separated read-only keys; when set, `/v1` reads need `Authorization: Bearer <read or write key>` (health, metrics, docs and the dashboard's files stay open); a read key on a mutation → 403" }),
  HPS_CORS_ORIGINS: listVar({
    description: "comma-separated browser origins allowed by CORS (e.g. `https://ui.example.com`); unset → CORS closed (no CORS headers)",
    item: z.string().regex(/^https?:\/\/[^\s/,]+$/, { error: "each item must be an origin: http(s)://host[:port], no path" }),
  }),
  HPS_RATE_LIMIT_WINDOW_MS: intVar({ min: 1000, max: 86_400_000, default: 60_000, description: "window of the mutation rate limits, ms" }),
  HPS_RATE_LIMIT_PER_IP: intVar({ min: 0, max: 1_000_000, default: 120, description: "mutations (POST/DELETE) per window per client IP, 0 = no limit; over it → 429 with Retry-After (seconds)" }),
  HPS_RATE_LIMIT_PER_KEY: intVar({ min: 0, max: 1_000_000, default: 60, description: "mutations per window per bearer key, 0 = no limit; over it → 429 with Retry-After" }),
  HPS_TRUST_PROXY: boolVar({ default: false, description: "take the client IP from X-Forwarded-For (behind a reverse proxy), for the per-IP limit and the audit log" }),
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
  apiKeyHashes: string[];
  readKeys: string[];
  corsOrigins: string[];
  rateLimit: RateLimitOptions;
  trustProxy: boolean;
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
    apiKeyHashes: v.HPS_API_KEY_HASHES,
    readKeys: v.HPS_READ_KEYS,
    corsOrigins: v.HPS_CORS_ORIGINS,
    rateLimit: { windowMs: v.HPS_RATE_LIMIT_WINDOW_MS, perIp: v.HPS_RATE_LIMIT_PER_IP, perKey: v.HPS_RATE_LIMIT_PER_KEY },
    trustProxy: v.HPS_TRUST_PROXY,
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
