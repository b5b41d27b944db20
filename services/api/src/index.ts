export { apiPlugin, buildApp, DEFAULT_BODY_LIMIT, type ApiDeps, type BuildAppOptions } from "./app.ts";
export { startApi, readEnv, DEFAULT_DASHBOARD_DIR, type StartApiOptions, type RunningApi, type ApiEnv } from "./server.ts";
export type { QueueDepth } from "./metrics.ts";
export type { ConfigCheck } from "./spec-checks.ts";
