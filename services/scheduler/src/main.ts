/**
 * The scheduler process. Environment: env.ts (`SchedulerEnvVars`: DATABASE_URL and REDIS_URL
 * required, HPS_QUEUE_PREFIX, SCHEDULER_POLL_MS, LOG_LEVEL, each with its default and unit).
 * Applies migrations on start; SIGTERM/SIGINT close it gracefully (the running pass
 * finishes; nothing is lost if it does not — the next scheduler resumes from Postgres).
 */
import pino from "pino";
import { EnvError } from "@hps/contracts";
import { createDb, migrate } from "@hps/db";
import { BullDispatcher } from "@hps/queue";
import { readSchedulerEnv, type SchedulerEnv } from "./env.ts";
import { startScheduler } from "./scheduler.ts";

let env: SchedulerEnv;
try {
  env = readSchedulerEnv();
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  pino({ base: { service: "scheduler" } }).fatal({ issues: err.issues }, err.message);
  process.exit(2);
}
const { databaseUrl, redisUrl, pollMs, lostJobAfterMs } = env;
const logger = pino({ level: env.logLevel, base: { service: "scheduler" } });

await migrate(databaseUrl);
const db = createDb({ url: databaseUrl, poolSize: 5 });
const dispatcher = new BullDispatcher({ redisUrl, prefix: env.prefix });
const scheduler = await startScheduler({ db, dispatcher, logger, pollMs, lostJobAfterMs });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping");
  try {
    await scheduler.close();
    await dispatcher.close();
    await db.close();
  } catch (err) {
    logger.error({ err }, "shutdown failed");
    process.exit(1);
  }
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
