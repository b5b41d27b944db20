/**
 * `pnpm start`: the whole product in one process — the composition root (services never
 * import each other; this script wires them).
 *
 * Environment: scripts/start-env.ts (`StartEnvVars`: the API's, worker's and scheduler's
 * variables plus the embedded Postgres's, each with its default and unit). DATABASE_URL unset →
 * embedded Postgres under $HPS_DATA_DIR/postgres; REDIS_URL unset → the in-process queue.
 *
 * Migrations run once here; then API, scheduler and worker (training in worker threads) start
 * in this process. SIGTERM/SIGINT: stop taking requests, stop the scheduler, let running
 * trials finish (then hand them back), close connections, stop the embedded Postgres if this
 * process started it, exit 0.
 */
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { protectionOf, startApi, DEFAULT_DASHBOARD_DIR } from "@hps/api";
import { createDb, migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@hps/db";
import { BullConsumer, BullDispatcher, InProcessQueue, type TrialConsumer, type TrialDispatcher } from "@hps/queue";
import { startScheduler } from "@hps/scheduler";
import { startWorker } from "@hps/worker";
import { readStartEnv, type StartEnv } from "./start-env.ts";

/** pino-shaped JSON-lines logger (the API logs through Fastify's own pino in the same format). */
interface Log {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: object): Log;
}
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
function jsonLogger(level: string, bindings: object): Log {
  const min = LEVELS[level as keyof typeof LEVELS] ?? (level === "silent" ? 100 : level === "fatal" ? 60 : 30);
  const write = (lvl: keyof typeof LEVELS) => (obj: object | string, msg?: string) => {
    if (LEVELS[lvl] < min) return;
    const fields = typeof obj === "string" ? { msg: obj } : { ...serialise(obj), ...(msg ? { msg } : {}) };
    process.stdout.write(JSON.stringify({ level: LEVELS[lvl], time: Date.now(), pid: process.pid, ...bindings, ...fields }) + "\n");
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error"), child: (b) => jsonLogger(level, { ...bindings, ...b }) };
}
function serialise(obj: object): object {
  const o = { ...(obj as Record<string, unknown>) };
  if (o.err instanceof Error) o.err = { type: o.err.name, message: o.err.message, stack: o.err.stack };
  return o;
}


let logger: Log = jsonLogger("info", { service: "hps" });

async function main(): Promise<void> {
  let config: StartEnv;
  try {
    config = readStartEnv();
  } catch (err) {
    jsonLogger("info", { service: "hps" }).error({ err }, (err as Error).message);
    process.exit(2);
  }
  const { api: env, concurrency, pollMs, lostJobAfterMs, shutdownGraceMs: graceMs, lockMs, kernelPath } = config;
  logger = jsonLogger(env.logLevel, { service: "hps" });
  const closers: Array<[string, () => Promise<unknown>]> = [];

  let stopping: Promise<void> | null = null;
  const stop = (why: string, code: number): Promise<void> =>
    (stopping ??= (async () => {
      logger.info({ why }, "shutting down");
      let exit = code;
      for (const [name, close] of closers.reverse()) {
        try {
          await close();
        } catch (err) {
          logger.error({ err, name }, "shutdown step failed");
          exit = 1;
        }
      }
      logger.info("stopped");
      process.exit(exit);
    })());
  process.on("SIGTERM", () => void stop("SIGTERM", 0));
  process.on("SIGINT", () => void stop("SIGINT", 0));

  try {
    let embedded: EmbeddedPostgresHandle | null = null;
    if (!env.databaseUrl) {
      const dataDir = resolve(config.dataDir, "postgres");
      embedded = await startEmbeddedPostgres({ dataDir, port: config.pgPort });
      closers.push(["embedded postgres", () => embedded!.stop()]);
      logger.info({ dataDir }, "embedded Postgres started");
    }
    const databaseUrl = env.databaseUrl ?? embedded!.url;
    await migrate(databaseUrl);
    const db = createDb({ url: databaseUrl, poolSize: 10 + concurrency });
    closers.push(["db", () => db.close()]);

    let dispatcher: TrialDispatcher;
    let consumer: TrialConsumer;
    if (env.redisUrl) {
      const prefix = env.queuePrefix;
      dispatcher = new BullDispatcher({ redisUrl: env.redisUrl, prefix });
      consumer = new BullConsumer({ redisUrl: env.redisUrl, prefix, concurrency, lockMs, onError: (err) => logger.warn({ err }, "queue error") });
      closers.push(["dispatcher", () => dispatcher.close()]);
    } else {
      const q = new InProcessQueue({ concurrency });
      dispatcher = q;
      consumer = q; // closed by the worker
    }

    const worker = startWorker({ db, consumer, concurrency, trialMemoryBytes: env.trialMemoryBytes, kernelPath, workerId: `${hostname()}:${process.pid}`, logger: logger.child({ service: "worker" }) });
    closers.push(["worker", () => worker.close({ timeoutMs: graceMs })]);
    const scheduler = await startScheduler({ db, dispatcher, logger: logger.child({ service: "scheduler" }), pollMs, lostJobAfterMs });
    closers.push(["scheduler", () => scheduler.close()]);

    const dashboardDir = env.dashboardDir ?? (existsSync(DEFAULT_DASHBOARD_DIR) ? DEFAULT_DASHBOARD_DIR : undefined);
    const api = await startApi({
      databaseUrl,
      db,
      queue: dispatcher,
      migrate: false,
      port: env.port,
      host: env.host,
      ...protectionOf(env),
      logLevel: env.logLevel,
      bodyLimit: env.bodyLimit,
      trialMemoryBytes: env.trialMemoryBytes,
      ...(dashboardDir ? { dashboardDir } : {}),
    });
    closers.push(["api", () => api.close()]);

    const address = api.app.server.address();
    const port = typeof address === "object" && address ? address.port : env.port;
    const mode = `${embedded ? "embedded Postgres" : "Postgres"} + ${env.redisUrl ? "BullMQ" : "in-process queue"}, ${concurrency} training threads`;
    logger.info({ url: `http://localhost:${port}`, port, dataDir: embedded ? join(config.dataDir, "postgres") : undefined }, `hps listening on http://localhost:${port} (${mode})`);
  } catch (err) {
    logger.error({ err }, "start failed");
    await stop("start failed", 1);
  }
}

void main();
