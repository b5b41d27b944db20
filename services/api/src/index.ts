export { apiPlugin, buildApp, DEFAULT_BODY_LIMIT, type ApiDeps, type BuildAppOptions } from "./app.ts";
export { startApi, DEFAULT_DASHBOARD_DIR, type StartApiOptions, type RunningApi } from "./server.ts";
export { readEnv, apiEnvOf, apiEnvFields, ApiEnvVars, type ApiEnv } from "./env.ts";
export type { QueueDepth } from "./metrics.ts";
export type { ConfigCheck } from "./spec-checks.ts";
