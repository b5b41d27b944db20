/**
 * Wires a consumer to the trial handler. Used by main.ts (distributed mode), the all-in-one
 * start (with an InProcessQueue) and the dispatch benchmark (with a no-op trainer).
 */
import type { Db } from "@hps/db";
import type { ConsumerCloseOptions, TrialConsumer } from "@hps/queue";
import { silentLogger, type Logger } from "./logger.ts";
import { DatasetStore } from "./dataset-store.ts";
import { RunWatcher } from "./run-watcher.ts";
import { ThreadPoolTrainer } from "./thread-pool-trainer.ts";
import { createTrialHandler, giveUp } from "./trial-handler.ts";
import { resolveKernelPath, type KernelPath } from "@hps/core";
import type { Trainer } from "./trainer.ts";

export interface StartWorkerOptions {
  db: Pick<Db, "runs" | "datasets">;
  /** Local folder caching uploaded datasets by sha256 (HPS_DATASET_CACHE_DIR); absent → memory only. */
  datasetCacheDir?: string;
  /** Not yet started; startWorker starts it and closes it in close(). */
  consumer: TrialConsumer;
  /** Training threads (default trainer) — should equal the consumer's concurrency. */
  concurrency: number;
  /** Recorded in trials.worker_id, e.g. "host:pid". */
  workerId: string;
  logger?: Logger;
  /** Default: a ThreadPoolTrainer of `concurrency` threads (closed by close()); an injected one is not closed. */
  trainer?: Trainer;
  /** The default trainer's per-trial memory budget, bytes (HPS_TRIAL_MEMORY_MB); default none. */
  trialMemoryBytes?: number;
  /** The default trainer's kernel path (HPS_KERNEL_PATH, resolved: readWorkerEnv's kernelPath); default the core's "auto". */
  kernelPath?: KernelPath;
  /** Cancel-poll period, ms (default 1000). */
  cancelPollMs?: number;
  /** Progress flush cadence (default 500 ms or 10 epochs, whichever first). */
  flushIntervalMs?: number;
  flushEpochs?: number;
}

export interface RunningWorker {
  /**
   * Stops taking jobs; lets running trials finish for up to `timeoutMs` (default: no limit),
   * then stops the rest, sets their trials back to queued and hands their jobs back to the
   * queue; finally stops the training threads. Idempotent.
   */
  close(opts?: ConsumerCloseOptions): Promise<void>;
}

export function startWorker(opts: StartWorkerOptions): RunningWorker {
  const logger = opts.logger ?? silentLogger;
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
    throw new Error(`invalid startWorker option concurrency=${JSON.stringify(opts.concurrency)}: expected a positive integer`);
  }
  if (!opts.workerId) throw new Error(`invalid startWorker option workerId=${JSON.stringify(opts.workerId)}: expected a non-empty string`);
  const ownTrainer = !opts.trainer;
  // The path the threads will select, resolved here so the start log names it (and an unrunnable
  // forced path throws before any job is taken).
  const kernelPath = resolveKernelPath(opts.kernelPath ?? "auto");
  const trainer = opts.trainer ?? new ThreadPoolTrainer({ size: opts.concurrency, kernelPath, ...(opts.trialMemoryBytes ? { trialMemoryBytes: opts.trialMemoryBytes } : {}) });
  const watcher = new RunWatcher(opts.db, (err) => logger.warn({ err }, "cancel poll failed"), opts.cancelPollMs);
  const datasets = new DatasetStore({ db: opts.db, ...(opts.datasetCacheDir ? { dir: opts.datasetCacheDir } : {}) });
  const handler = createTrialHandler({
    db: opts.db,
    datasets,
    trainer,
    watcher,
    workerId: opts.workerId,
    logger,
    flushIntervalMs: opts.flushIntervalMs,
    flushEpochs: opts.flushEpochs,
  });
  opts.consumer.start(handler, {
    onGiveUp: async (job, err) => {
      logger.error({ trialId: job.trialId, searchId: job.searchId, err }, "queue gave up on the trial");
      await giveUp(opts.db, logger, job, `given up by the queue: ${err.message}`);
    },
  });
  logger.info({ workerId: opts.workerId, concurrency: opts.concurrency, ...(ownTrainer ? { kernelPath } : {}) }, "worker started");

  let closing: Promise<void> | null = null;
  return {
    close(closeOpts) {
      closing ??= (async () => {
        try {
          await opts.consumer.close(closeOpts);
        } finally {
          watcher.close();
          if (ownTrainer) await trainer.close?.();
          logger.info({ workerId: opts.workerId }, "worker stopped");
        }
      })();
      return closing;
    },
  };
}
