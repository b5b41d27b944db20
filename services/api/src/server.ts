/**
 * The API process: configuration from the environment, migrations, listen, graceful
 * shutdown. `startApi` is also what the all-in-one `pnpm start` (scripts/start.ts) calls to
 * run the API inside its own process with an embedded Postgres and an in-process dispatcher.
 *
 * Environment: env.ts (`ApiEnvVars`, every variable with its default and unit).
 */
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FastifyInstance, FastifyServerOptions } from "fastify";
import { createDb, migrate, startEmbeddedPostgres, type Db } from "@hps/db";
import { BullDispatcher } from "@hps/queue";
import { buildApp, DEFAULT_BODY_LIMIT, type ApiDeps } from "./app.ts";
import { readEnv, type ApiEnv } from "./env.ts";
import type { QueueDepth } from "./metrics.ts";

/** The API's protection settings, as ApiDeps takes them (see app.ts), plus the proxy trust. */
export type ProtectionOptions = Pick<ApiDeps, "apiKeys" | "apiKeyHashes" | "readKeys" | "corsOrigins" | "rateLimit"> & {
  /** Client IPs from X-Forwarded-For (behind a reverse proxy). Default false. */
  trustProxy?: boolean;
};

export interface StartApiOptions extends ProtectionOptions {
  /** postgresql:// URL; migrations are applied to it before listening (unless migrate: false). */
  databaseUrl: string;
  /** Default 3000; 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0. */
  host?: string;
  /** The dispatcher's queue depth (in-process or BullMQ); the caller closes it. */
  queue?: QueueDepth;
  /** Without `queue`: read the depth of the BullMQ trial queue on this Redis (closed by close()). */
  redisUrl?: string;
  /** BullMQ key prefix of that queue (default "hps"). */
  queuePrefix?: string;
  /** Request body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Per-trial memory budget a spec's largest trial must fit, bytes (default 1,536 MB). */
  trialMemoryBytes?: number;
  /** Largest CSV upload in MiB (default 64). */
  datasetLimitMb?: number;
  /** pino level (default "info"); ignored when `logger` is given. */
  logLevel?: string;
  logger?: FastifyServerOptions["logger"];
  /** Apply migrations at start-up (default true; the all-in-one start may have done it already). */
  migrate?: boolean;
  /** The dashboard's static build, served at "/" (default: none). */
  dashboardDir?: string;
  /** Reuse a database handle (the caller closes it); default: one of our own, closed by close(). */
  db?: Db;
}

export interface RunningApi {
  app: FastifyInstance;
  /** http://host:port the server listens on. */
  url: string;
  /** Stops accepting requests, finishes in-flight ones, closes what startApi opened. Idempotent. */
  close(): Promise<void>;
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { databaseUrl, port = 3000, host = "0.0.0.0", logLevel = "info" } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  if (options.migrate !== false) await migrate(databaseUrl);
  const ownDb = !options.db;
  const db = options.db ?? createDb({ url: databaseUrl });
  const ownQueue = !options.queue && options.redisUrl ? new BullDispatcher({ redisUrl: options.redisUrl, ...(options.queuePrefix ? { prefix: options.queuePrefix } : {}) }) : null;
  const queue = options.queue ?? ownQueue ?? undefined;
  const release = async () => {
    await ownQueue?.close();
    if (ownDb) await db.close();
  };
  let app: FastifyInstance | undefined;
  let url: string;
  try {
    app = await buildApp({
      db,
      logger: options.logger ?? { level: logLevel },
      bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      ...(options.trialMemoryBytes ? { trialMemoryBytes: options.trialMemoryBytes } : {}),
      ...(options.datasetLimitMb ? { datasetLimitMb: options.datasetLimitMb } : {}),
      ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
      ...(options.apiKeyHashes ? { apiKeyHashes: options.apiKeyHashes } : {}),
      ...(options.readKeys ? { readKeys: options.readKeys } : {}),
      ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
      ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
      ...(options.trustProxy ? { trustProxy: true } : {}),
      ...(queue ? { queue } : {}),
      ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    });
    url = await app.listen({ port, host });
  } catch (err) {
    await app?.close();
    await release();
    throw err;
  }
  const running = app;
  let closing: Promise<void> | null = null;
  return {
    app: running,
    url,
    close: () =>
      (closing ??= (async () => {
        await running.close();
        await release();
      })()),
  };
}

/** The dashboard's static files (services/dashboard/public: plain HTML, CSS and ES modules, no build step). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL("../../dashboard/public", import.meta.url));

/** The protection settings of a parsed API environment (also used by the all-in-one start). */
export function protectionOf(env: ApiEnv): ProtectionOptions {
  return { apiKeys: env.apiKeys, apiKeyHashes: env.apiKeyHashes, readKeys: env.readKeys, corsOrigins: env.corsOrigins, rateLimit: env.rateLimit, trustProxy: env.trustProxy };
}

/** `pnpm start:api`: the API alone. Without DATABASE_URL it uses (or starts) the embedded Postgres. */
async function main(): Promise<void> {
  const env = readEnv();
  const embedded = env.databaseUrl ? null : await startEmbeddedPostgres();
  const dashboardDir = env.dashboardDir ?? (existsSync(DEFAULT_DASHBOARD_DIR) ? DEFAULT_DASHBOARD_DIR : undefined);
  const api = await startApi({
    databaseUrl: env.databaseUrl ?? embedded!.url,
    port: env.port,
    host: env.host,
    ...protectionOf(env),
    ...(env.redisUrl ? { redisUrl: env.redisUrl, queuePrefix: env.queuePrefix } : {}),
    logLevel: env.logLevel,
    bodyLimit: env.bodyLimit,
    trialMemoryBytes: env.trialMemoryBytes,
    datasetLimitMb: env.datasetLimitMb,
    ...(dashboardDir ? { dashboardDir } : {}),
  });
  if (embedded) api.app.log.warn("DATABASE_URL not set: using the embedded Postgres; run `pnpm start` for the scheduler and workers too");
  if (env.apiKeys.length + env.apiKeyHashes.length === 0) api.app.log.warn("neither HPS_API_KEYS nor HPS_API_KEY_HASHES set: mutating routes are open");
  const shutdown = (signal: string) => {
    api.app.log.info({ signal }, "shutting down");
    void api
      .close()
      .then(() => embedded?.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          api.app.log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
