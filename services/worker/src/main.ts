/**
 * The worker process (distributed mode): `tsx services/worker/src/main.ts`.
 *
 * Shutdown: on the first SIGTERM/SIGINT it stops taking jobs and lets running trials finish
 * for WORKER_SHUTDOWN_GRACE_MS (default 25 s, under Kubernetes' 30 s default). Trials still
 * running then are stopped between mini-batches, set back to `queued` (releaseTrial) and their
 * jobs moved back to the queue's wait list (BullMQ moveToWait: re-delivered at once to another
 * worker, no attempt used). Then the threads stop, connections close and it exits 0.
 * A second signal exits 1 at once: the jobs' locks then expire and BullMQ's stalled check
 * re-delivers them after WORKER_LOCK_MS…2×WORKER_LOCK_MS, exactly as after a SIGKILL; the new
 * run re-claims the trial (attempts + 1) and fences the old one out.
 */
import { pino } from "pino";
import { EnvError } from "@hps/contracts";
import { createDb, migrate } from "@hps/db";
import { BullConsumer } from "@hps/queue";
import { readWorkerEnv, type WorkerEnv } from "./env.ts";
import { startWorker } from "./start-worker.ts";

let env: WorkerEnv;
try {
  env = readWorkerEnv();
} catch (err) {
  if (!(err instanceof EnvError)) throw err;
  pino({ base: { service: "worker", pid: process.pid } }).fatal({ issues: err.issues }, err.message);
  process.exit(2);
}
const logger = pino({ level: env.logLevel, base: { service: "worker", pid: process.pid } });

await migrate(env.databaseUrl);
const db = createDb({ url: env.databaseUrl, poolSize: Math.min(20, env.concurrency + 4) });
const consumer = new BullConsumer({
  redisUrl: env.redisUrl,
  prefix: env.prefix,
  concurrency: env.concurrency,
  lockMs: env.lockMs,
  onError: (err) => logger.warn({ err }, "queue error"),
});
const worker = startWorker({ db, trialMemoryBytes: env.trialMemoryBytes, kernelPath: env.kernelPath, consumer, concurrency: env.concurrency, workerId: env.workerId, logger, datasetCacheDir: env.datasetCacheDir });

let stopping = false;
const shutdown = (signal: NodeJS.Signals) => {
  if (stopping) {
    logger.warn({ signal }, "second signal: exiting now (running jobs will be recovered as stalled)");
    process.exit(1);
  }
  stopping = true;
  logger.info({ signal, graceMs: env.shutdownGraceMs }, "shutting down");
  worker
    .close({ timeoutMs: env.shutdownGraceMs })
    .then(() => db.close())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
