/**
 * The scheduler process's loop: a pass over every live search whenever something may
 * have changed. Wake-ups come from Postgres LISTEN/NOTIFY (the API on a new search or
 * cancel, workers when a trial is final) and from a fallback poll; they only trigger a
 * pass — what to do is read from Postgres. Wake-ups arriving during a pass coalesce into
 * one more pass, so a burst of finished trials costs a few passes, not one per trial.
 */
import type { Db, WakeListener } from "@hps/db";
import { Reconciler, type ReconcilerLogger, type TrialEnqueuer } from "./reconciler.ts";

export interface SchedulerLogger extends ReconcilerLogger {
  error(obj: object, msg?: string): void;
}

export interface SchedulerOptions {
  db: Pick<Db, "scheduler" | "wakeups">;
  dispatcher: TrialEnqueuer;
  logger: SchedulerLogger;
  /** Fallback poll interval: a lost notification delays work by at most this. Default 1000 ms. */
  pollMs?: number;
  /** See ReconcilerOptions.lostJobAfterMs (SCHEDULER_LOST_JOB_MS). Default 15 000 ms. */
  lostJobAfterMs?: number;
  /**
   * Least time between the starts of two passes (default 10 ms). Under a stream of wake-ups
   * (every finished trial sends one) this batches the work of many of them into one pass —
   * a few queries and one addBulk — instead of a pass per wake-up.
   */
  minPassIntervalMs?: number;
}

export interface Scheduler {
  /** Requests a pass (coalesced with one already pending). */
  wake(): void;
  /** Resolves when no pass is running or pending (tests; the loop never needs it). */
  idle(): Promise<void>;
  /** Passes run so far (for benchmarks and tests). */
  stats(): { passes: number };
  /** Stops polling and listening and waits for the running pass. Idempotent. */
  close(): Promise<void>;
}

export async function startScheduler(opts: SchedulerOptions): Promise<Scheduler> {
  const pollMs = opts.pollMs ?? 1000;
  if (!(Number.isFinite(pollMs) && pollMs >= 10)) throw new RangeError(`pollMs must be a number ≥ 10 (got ${opts.pollMs})`);
  const minPassIntervalMs = opts.minPassIntervalMs ?? 10;
  if (!(Number.isFinite(minPassIntervalMs) && minPassIntervalMs >= 0)) throw new RangeError(`minPassIntervalMs must be a number ≥ 0 (got ${opts.minPassIntervalMs})`);
  const { db, logger } = opts;
  const reconciler = new Reconciler({ db, dispatcher: opts.dispatcher, logger, lostJobAfterMs: opts.lostJobAfterMs });

  let closed = false;
  let pending = false;
  let running: Promise<void> | null = null;
  let errorStreak = 0;
  let passes = 0;
  let lastPassAt = 0;
  let lastSweepAt = 0;

  const pass = async (): Promise<void> => {
    passes++;
    // The API cancels queued trials itself; this catch-up needs to run only once per poll period.
    if (Date.now() - lastSweepAt >= pollMs) {
      lastSweepAt = Date.now();
      await db.scheduler.cancelQueuedTrialsOfCancelledSearches();
    }
    const live = await db.scheduler.liveSearchIds();
    reconciler.retain(live);
    let failed: unknown = null;
    for (const id of live) {
      if (closed) return;
      try {
        const r = await reconciler.reconcile(id);
        if (r && (r.planned || r.enqueued || r.reenqueued || r.advanced || r.finished))
          logger.debug({ searchId: id, ...r }, "reconciled");
      } catch (err) {
        failed ??= err; // one search's trouble must not starve the others; report it after the pass
        logger.debug({ searchId: id, err }, "reconcile failed");
      }
    }
    if (failed) throw failed;
  };

  const loop = async (): Promise<void> => {
    while (pending && !closed) {
      const wait = lastPassAt + minPassIntervalMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait)); // more wake-ups coalesce meanwhile
      if (closed) return;
      pending = false;
      lastPassAt = Date.now();
      try {
        await pass();
        errorStreak = 0;
      } catch (err) {
        // Postgres or the queue is unreachable, or a bug: log and let the poll retry.
        errorStreak++;
        if (errorStreak === 1 || errorStreak % 30 === 0) logger.error({ err, errorStreak }, "reconcile pass failed");
        return;
      }
    }
  };

  const wake = (): void => {
    if (closed) return;
    pending = true;
    if (!running) running = loop().finally(() => { running = null; if (pending && !closed) wake(); });
  };

  const listener: WakeListener = await db.wakeups.listen(() => wake());
  const timer = setInterval(wake, pollMs);
  timer.unref?.();
  wake();
  logger.info({ pollMs }, "scheduler started");

  let closing: Promise<void> | null = null;
  return {
    wake,
    idle: async () => {
      while (running) await running;
    },
    stats: () => ({ passes }),
    close: () => {
      closing ??= (async () => {
        closed = true;
        clearInterval(timer);
        await listener.close();
        await running;
      })();
      return closing;
    },
  };
}
