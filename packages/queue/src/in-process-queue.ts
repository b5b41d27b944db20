/**
 * The embedded mode's queue: dispatcher and consumer in one process, no Redis.
 * FIFO; at most `concurrency` handlers at once; a trial is deduplicated while it is
 * queued, delayed (retry backoff) or active — unlike BullMQ it is not remembered after it
 * finished, which is fine because the worker's claim skips final trials. Failures are
 * retried up to `attempts` deliveries with exponential backoff, then given up (onGiveUp).
 * Nothing survives the process: Postgres is the truth and the scheduler re-enqueues
 * queued trials on start.
 */
import { TrialJob } from "@hps/contracts";
import { QueueStateError } from "./errors.ts";
import { DEFAULT_ATTEMPTS, defaultConcurrency, int } from "./options.ts";
import {
  ConsumerShutdownError,
  isShutdownAbort,
  type ConsumerCloseOptions,
  type TrialConsumer,
  type TrialConsumerHooks,
  type TrialDispatcher,
  type TrialHandler,
} from "./trial-queue.ts";

export interface InProcessQueueOptions {
  /** Handlers running at once (default: number of CPU cores). */
  concurrency?: number;
  /** Deliveries a job gets when its handler keeps failing (default 3). */
  attempts?: number;
  /** Base delay of the exponential retry backoff, ms (default 100). */
  backoffMs?: number;
}

interface Entry {
  job: TrialJob;
  /** Deliveries so far. */
  deliveries: number;
  /** Failed deliveries so far (hand-backs on shutdown do not count). */
  failures: number;
}

export class InProcessQueue implements TrialDispatcher, TrialConsumer {
  readonly concurrency: number;
  readonly attempts: number;
  readonly backoffMs: number;
  private readonly waiting: Entry[] = [];
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private readonly active = new Map<string, { entry: Entry; ac: AbortController; done: Promise<void> }>();
  /** trialIds queued, delayed or active. */
  private readonly known = new Map<string, Entry>();
  private handler: TrialHandler | null = null;
  private hooks: TrialConsumerHooks = {};
  private closing: Promise<void> | null = null;

  constructor(opts: InProcessQueueOptions = {}) {
    this.concurrency = int("concurrency", opts.concurrency ?? defaultConcurrency(), 1, 1000);
    this.attempts = int("attempts", opts.attempts ?? DEFAULT_ATTEMPTS, 1, 100);
    this.backoffMs = int("backoffMs", opts.backoffMs ?? 100, 0, 3_600_000);
  }

  async enqueue(jobs: readonly TrialJob[]): Promise<void> {
    if (this.closing) throw new QueueStateError("InProcessQueue.enqueue() after close()");
    const parsed = jobs.map((j) => TrialJob.parse(j));
    for (const job of parsed) {
      if (this.known.has(job.trialId)) continue;
      const entry: Entry = { job, deliveries: 0, failures: 0 };
      this.known.set(job.trialId, entry);
      this.waiting.push(entry);
    }
    this.pump();
  }

  async depth(): Promise<number> {
    return this.known.size;
  }

  async ping(): Promise<void> {
    if (this.closing) throw new QueueStateError("InProcessQueue is closed");
  }

  start(handler: TrialHandler, hooks: TrialConsumerHooks = {}): void {
    if (this.closing) throw new QueueStateError("InProcessQueue.start() after close()");
    if (this.handler) throw new QueueStateError("InProcessQueue.start() called twice");
    this.handler = handler;
    this.hooks = hooks;
    this.pump();
  }

  private pump(): void {
    while (this.handler && !this.closing && this.active.size < this.concurrency && this.waiting.length) {
      this.run(this.waiting.shift()!, this.handler);
    }
  }

  private run(entry: Entry, handler: TrialHandler): void {
    const ac = new AbortController();
    entry.deliveries += 1;
    const id = entry.job.trialId;
    const done = (async () => {
      try {
        await handler(entry.job, {
          attempt: entry.deliveries,
          lastAttempt: entry.failures + 1 >= this.attempts,
          signal: ac.signal,
          progress: () => {},
        });
        this.known.delete(id);
      } catch (err) {
        if (isShutdownAbort(ac.signal)) {
          this.waiting.unshift(entry); // handed back; counted by depth(), never run by this closed queue
        } else {
          this.fail(entry, err instanceof Error ? err : new Error(String(err)));
        }
      } finally {
        this.active.delete(id);
        this.pump();
      }
    })();
    this.active.set(id, { entry, ac, done });
  }

  private fail(entry: Entry, err: Error): void {
    entry.failures += 1;
    const id = entry.job.trialId;
    if (entry.failures >= this.attempts || this.closing) {
      this.known.delete(id);
      if (entry.failures >= this.attempts) {
        void Promise.resolve()
          .then(() => this.hooks.onGiveUp?.(entry.job, err))
          .catch(() => {});
      }
      return;
    }
    const delay = this.backoffMs * 2 ** (entry.failures - 1);
    const timer = setTimeout(() => {
      this.delayed.delete(id);
      this.waiting.push(entry);
      this.pump();
    }, delay);
    this.delayed.set(id, timer);
  }

  close(opts: ConsumerCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(opts.timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number | undefined): Promise<void> {
    for (const [id, timer] of this.delayed) {
      clearTimeout(timer);
      this.known.delete(id);
    }
    this.delayed.clear();
    const all = () => Promise.all([...this.active.values()].map((a) => a.done)).then(() => {});
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs) && this.active.size) {
      let timer: NodeJS.Timeout | undefined;
      const expired = await Promise.race([
        all().then(() => false),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(true), Math.max(0, timeoutMs)))),
      ]);
      clearTimeout(timer);
      if (expired) for (const a of this.active.values()) a.ac.abort(new ConsumerShutdownError());
    }
    await all();
  }
}
