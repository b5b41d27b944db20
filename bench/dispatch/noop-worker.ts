/**
 * One worker process of the dispatch benchmark: the real startWorker on BullMQ with the
 * no-op trainer. Env: DATABASE_URL, REDIS_URL, HPS_QUEUE_PREFIX, WORKER_CONCURRENCY, HPS_WORKER_ID,
 * HPS_DB_POOL (Postgres connections of this process, default 8: 4 workers stay well under
 * Postgres' default max_connections of 100, which the rest of the machine shares).
 * Prints "ready" once consuming; exits on SIGTERM.
 */
import { createDb } from "@hps/db";
import { BullConsumer } from "@hps/queue";
import { startWorker } from "@hps/worker";
import { NoopTrainer } from "./noop-trainer.ts";

const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 64);
const db = createDb({ url: process.env.DATABASE_URL!, poolSize: Number(process.env.HPS_DB_POOL ?? 8) });
const consumer = new BullConsumer({
  redisUrl: process.env.REDIS_URL!,
  prefix: process.env.HPS_QUEUE_PREFIX,
  concurrency,
  onError: (err) => console.error(`queue error: ${err.message}`),
});
const logger = {
  debug() {},
  info() {},
  warn: (obj: object, msg?: string) => console.error(JSON.stringify({ level: "warn", msg, ...obj })),
  error: (obj: object, msg?: string) => console.error(JSON.stringify({ level: "error", msg, ...obj })),
};
const worker = startWorker({ db, consumer, concurrency, workerId: process.env.HPS_WORKER_ID ?? `bench:${process.pid}`, trainer: new NoopTrainer(), logger });
await db.ping(); // connect before reporting ready
const atReady = process.cpuUsage();
console.log("ready");

for (const sig of ["SIGTERM", "SIGINT"] as const) {
  for (const l of process.rawListeners(sig)) if (String(l).includes("eventFilters")) process.removeListener(sig, l as () => void);
  process.on(sig, () => {
    if (process.env.HPS_BENCH_PROFILE) {
      const u = process.cpuUsage(atReady);
      console.error(`worker ${process.env.HPS_WORKER_ID}: cpu after ready ${((u.user + u.system) / 1e6).toFixed(2)} s`);
    }
    void worker.close({ timeoutMs: 2000 }).then(() => db.close()).finally(() => process.exit(0));
  });
}
