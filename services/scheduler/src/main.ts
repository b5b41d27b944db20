/**
 * The scheduler process: env DATABASE_URL (required), REDIS_URL (required), HPS_QUEUE_PREFIX
 * (default "hps"), LOG_LEVEL (default info), SCHEDULER_POLL_MS (default 1000).
 * Applies migrations on start; SIGTERM/SIGINT close it gracefully (the running pass
 * finishes; nothing is lost if it does not — the next scheduler resumes from Postgres).
 */
import pino from "pino";
import { createDb, migrate } from "@hps/db";
import { BullDispatcher } from "@hps/queue";
import { startScheduler } from "./scheduler.ts";

const logger = pino({ level: process.env.LOG_LEVEL ?? "info", base: { service: "scheduler" } });

function required(name: string): string {
  const v = process.env[name];
  if (!v) {
    logger.fatal(`${name} is not set`);
    process.exit(2);
  }
  return v;
}

const databaseUrl = required("DATABASE_URL");
const redisUrl = required("REDIS_URL");
const pollMs = process.env.SCHEDULER_POLL_MS ? Number(process.env.SCHEDULER_POLL_MS) : 1000;

await migrate(databaseUrl);
const db = createDb({ url: databaseUrl, poolSize: 5 });
const dispatcher = new BullDispatcher({ redisUrl, prefix: process.env.HPS_QUEUE_PREFIX });
const scheduler = await startScheduler({ db, dispatcher, logger, pollMs });

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
