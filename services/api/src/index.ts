export { apiPlugin, buildApp, DEFAULT_BODY_LIMIT, type ApiDeps, type BuildAppOptions } from "./app.ts";
export { startApi, protectionOf, DEFAULT_DASHBOARD_DIR, type StartApiOptions, type RunningApi, type ProtectionOptions } from "./server.ts";
export { keyIdOf } from "./auth.ts";
export type { RateLimitOptions } from "./rate-limit.ts";
export { readEnv, apiEnvOf, apiEnvFields, ApiEnvVars, type ApiEnv } from "./env.ts";
export type { QueueDepth } from "./metrics.ts";
export type { ConfigCheck } from "./spec-checks.ts";
