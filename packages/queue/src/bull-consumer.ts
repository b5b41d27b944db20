/**
 * Takes trial jobs from the BullMQ queue TRIAL_QUEUE and runs a TrialHandler for each.
 *
 * - Payloads are parsed with `TrialJob` on entry; an invalid one fails at once (no retries).
 * - A rejected handler is retried per the job's attempts/backoff (set by BullDispatcher);
 *   `ctx.lastAttempt` tells the handler when a rejection is final.
 * - Locks: lockDuration = stalledInterval = lockMs. The lock is renewed from this event loop,
 *   so handlers must not block it (the worker trains in worker_threads).
 * - close({timeoutMs}): stop fetching, let active handlers finish; when the grace period runs
 *   out, abort their signals (reason: ConsumerShutdownError) and move each job whose handler
 *   then rejects back to `wait` with `job.moveToWait(token)` + `WaitingError`: it is delivered
 *   again at once to another worker and does NOT use an attempt. If this process is killed
 *   instead (SIGKILL), the job's lock expires and BullMQ's stalled check re-delivers it after
 *   lockMs…2·lockMs (a stall uses no attempt either; past maxStalledCount it is failed and
 *   `onGiveUp` runs in whichever worker picks it up).
 */
import { UnrecoverableError, WaitingError, Worker, type Job } from "bullmq";
import { TRIAL_QUEUE, TrialJob } from "@hps/contracts";
import { QueueStateError } from "./errors.ts";
import {
  DEFAULT_MAX_STALLED,
  defaultConcurrency,
  int,
  resolveLockMs,
  resolvePrefix,
  resolveRedisUrl,
  type BullConsumerOptions,
} from "./options.ts";
import {
  ConsumerShutdownError,
  isShutdownAbort,
  type ConsumerCloseOptions,
  type TrialConsumer,
  type TrialConsumerHooks,
  type TrialHandler,
} from "./trial-queue.ts";

export interface BullConsumerExtraOptions {
  /** Connection and internal errors of BullMQ (default: ignored; the worker passes its logger). */
  onError?: (err: Error) => void;
}

export class BullConsumer implements TrialConsumer {
  readonly prefix: string;
  readonly concurrency: number;
  readonly lockMs: number;
  private readonly redisUrl: string;
  private readonly maxStalledCount: number;
  private readonly onError: (err: Error) => void;
  private worker: Worker | null = null;
  private readonly active = new Map<string, AbortController>();
  private closing: Promise<void> | null = null;

  constructor(opts: BullConsumerOptions & BullConsumerExtraOptions) {
    this.redisUrl = resolveRedisUrl(opts.redisUrl);
    this.prefix = resolvePrefix(opts.prefix);
    this.concurrency = int("concurrency", opts.concurrency ?? defaultConcurrency(), 1, 1000);
    this.lockMs = resolveLockMs(opts.lockMs);
    this.maxStalledCount = int("maxStalledCount", opts.maxStalledCount ?? DEFAULT_MAX_STALLED, 0, 1000);
    this.onError = opts.onError ?? (() => {});
  }

  start(handler: TrialHandler, hooks: TrialConsumerHooks = {}): void {
    if (this.closing) throw new QueueStateError("BullConsumer.start() after close()");
    if (this.worker) throw new QueueStateError("BullConsumer.start() called twice");
    const worker = new Worker(TRIAL_QUEUE, (job: Job, token?: string) => this.process(job, token, handler), {
      connection: { url: this.redisUrl, maxRetriesPerRequest: null },
      prefix: this.prefix,
      concurrency: this.concurrency,
      lockDuration: this.lockMs,
      stalledInterval: this.lockMs,
      maxStalledCount: this.maxStalledCount,
      autorun: false,
    });
    worker.on("error", (err) => this.onError(err));
    worker.on("failed", (job, err) => {
      // finishedOn is set only when the job went to `failed` for good (not when it is retried).
      if (!job?.finishedOn || !hooks.onGiveUp) return;
      const parsed = TrialJob.safeParse(job.data);
      if (!parsed.success) return;
      void Promise.resolve()
        .then(() => hooks.onGiveUp?.(parsed.data, err))
        .catch((e: unknown) => this.onError(e as Error));
    });
    this.worker = worker;
    worker.run().catch((err: unknown) => this.onError(err as Error));
  }

  private async process(job: Job, token: string | undefined, handler: TrialHandler): Promise<void> {
    const parsed = TrialJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid TrialJob payload for job ${job.id}: ${parsed.error.message}`);
    const ac = new AbortController();
    const key = job.id ?? parsed.data.trialId;
    this.active.set(key, ac);
    try {
      await handler(parsed.data, {
        attempt: Math.max(1, job.attemptsStarted),
        lastAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        signal: ac.signal,
        progress: (p) => void job.updateProgress(p).catch(() => {}),
      });
    } catch (err) {
      if (isShutdownAbort(ac.signal) && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw err;
    } finally {
      this.active.delete(key);
    }
  }

  close(opts: ConsumerCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(opts.timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number | undefined): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    // worker.close() stops fetching at once and waits for active jobs before closing connections.
    const closed = worker.close();
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      let timer: NodeJS.Timeout | undefined;
      const expired = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(true), Math.max(0, timeoutMs)))),
      ]);
      clearTimeout(timer);
      if (expired) for (const ac of this.active.values()) ac.abort(new ConsumerShutdownError());
    }
    await closed;
  }
}
