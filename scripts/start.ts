/**
 * `pnpm start`: the whole product in one process — the composition root (services never
 * import each other; this script wires them).
 *
 *   DATABASE_URL   set → that Postgres; unset → embedded Postgres under $HPS_DATA_DIR/postgres
 *                  (default ./.hps-data/postgres, reused across runs; port HPS_PG_PORT, default 54329)
 *   REDIS_URL      set → BullMQ dispatcher + consumer; unset → the in-process queue
 *   PORT           3000 (0 = any free port)      HOST  0.0.0.0
 *   WORKER_CONCURRENCY  training threads (default: number of cores)
 *   SCHEDULER_POLL_MS   1000     LOG_LEVEL  info     HPS_QUEUE_PREFIX  hps (BullMQ only)
 *   HPS_API_KEYS, HPS_BODY_LIMIT, HPS_DASHBOARD_DIR: as for the API alone
 *   WORKER_SHUTDOWN_GRACE_MS  25000: how long running trials may finish on shutdown
 *
 * Migrations run once here; then API, scheduler and worker (training in worker threads) start
 * in this process. SIGTERM/SIGINT: stop taking requests, stop the scheduler, let running
 * trials finish (then hand them back), close connections, stop the embedded Postgres if this
 * process started it, exit 0.
 */
import { existsSync } from "node:fs";
import { availableParallelism, hostname } from "node:os";
import { join, resolve } from "node:path";
import { readEnv, startApi, DEFAULT_DASHBOARD_DIR } from "@hps/api";
import { createDb, migrate, startEmbeddedPostgres, type EmbeddedPostgresHandle } from "@hps/db";
import { BullConsumer, BullDispatcher, InProcessQueue, type TrialConsumer, type TrialDispatcher } from "@hps/queue";
import { startScheduler } from "@hps/scheduler";
import { startWorker } from "@hps/worker";

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
const logger = jsonLogger(process.env.LOG_LEVEL || "info", { service: "hps" });

function intEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const env = readEnv();
  const concurrency = intEnv("WORKER_CONCURRENCY", availableParallelism(), 1, 256);
  const pollMs = intEnv("SCHEDULER_POLL_MS", 1000, 10, 3_600_000);
  const graceMs = intEnv("WORKER_SHUTDOWN_GRACE_MS", 25_000, 0, 3_600_000);
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
      const dataDir = resolve(process.env.HPS_DATA_DIR || ".hps-data", "postgres");
      embedded = await startEmbeddedPostgres({ dataDir, port: intEnv("HPS_PG_PORT", 54329, 1, 65535) });
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
      const prefix = process.env.HPS_QUEUE_PREFIX || undefined;
      dispatcher = new BullDispatcher({ redisUrl: env.redisUrl, prefix });
      consumer = new BullConsumer({ redisUrl: env.redisUrl, prefix, concurrency, onError: (err) => logger.warn({ err }, "queue error") });
      closers.push(["dispatcher", () => dispatcher.close()]);
    } else {
      const q = new InProcessQueue({ concurrency });
      dispatcher = q;
      consumer = q; // closed by the worker
    }

    const worker = startWorker({ db, consumer, concurrency, workerId: `${hostname()}:${process.pid}`, logger: logger.child({ service: "worker" }) });
    closers.push(["worker", () => worker.close({ timeoutMs: graceMs })]);
    const scheduler = await startScheduler({ db, dispatcher, logger: logger.child({ service: "scheduler" }), pollMs });
    closers.push(["scheduler", () => scheduler.close()]);

    const dashboardDir = env.dashboardDir ?? (existsSync(DEFAULT_DASHBOARD_DIR) ? DEFAULT_DASHBOARD_DIR : undefined);
    const api = await startApi({
      databaseUrl,
      db,
      queue: dispatcher,
      migrate: false,
      port: env.port,
      host: env.host,
      apiKeys: env.apiKeys,
      logLevel: env.logLevel,
      bodyLimit: env.bodyLimit,
      ...(dashboardDir ? { dashboardDir } : {}),
    });
    closers.push(["api", () => api.close()]);

    const address = api.app.server.address();
    const port = typeof address === "object" && address ? address.port : env.port;
    const mode = `${embedded ? "embedded Postgres" : "Postgres"} + ${env.redisUrl ? "BullMQ" : "in-process queue"}, ${concurrency} training threads`;
    logger.info({ url: `http://localhost:${port}`, port, dataDir: embedded ? join(process.env.HPS_DATA_DIR || ".hps-data", "postgres") : undefined }, `hps listening on http://localhost:${port} (${mode})`);
  } catch (err) {
    logger.error({ err }, "start failed");
    await stop("start failed", 1);
  }
}

void main();
