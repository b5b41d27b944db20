/**
 * Enqueues trials on the BullMQ queue TRIAL_QUEUE. jobId = trialId, so adding a trial
 * that is already waiting/active/delayed (or still retained as completed/failed) is a
 * no-op in Redis itself — safe for a reconciler that may enqueue the same trial again.
 */
import { Queue } from "bullmq";
import { TRIAL_QUEUE, TrialJob } from "@hps/contracts";
import type { TrialDispatcher } from "./trial-queue.ts";
import {
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  DEFAULT_KEEP_COMPLETED,
  DEFAULT_KEEP_FAILED,
  int,
  resolvePrefix,
  resolveRedisUrl,
  type BullDispatcherOptions,
} from "./options.ts";

/** Jobs per addBulk call (one MULTI each), so a huge plan does not build one giant pipeline. */
const BULK_CHUNK = 1000;

export class BullDispatcher implements TrialDispatcher {
  readonly prefix: string;
  private readonly queue: Queue;
  private readonly jobOpts: { attempts: number; backoff: { type: "exponential"; delay: number }; removeOnComplete: { count: number }; removeOnFail: { count: number } };
  private closing: Promise<void> | null = null;

  constructor(opts: BullDispatcherOptions) {
    const redisUrl = resolveRedisUrl(opts.redisUrl);
    this.prefix = resolvePrefix(opts.prefix);
    this.jobOpts = {
      attempts: int("attempts", opts.attempts ?? DEFAULT_ATTEMPTS, 1, 100),
      backoff: { type: "exponential", delay: int("backoffMs", opts.backoffMs ?? DEFAULT_BACKOFF_MS, 0, 3_600_000) },
      removeOnComplete: { count: int("keepCompleted", opts.keepCompleted ?? DEFAULT_KEEP_COMPLETED, 0, 1_000_000) },
      removeOnFail: { count: int("keepFailed", opts.keepFailed ?? DEFAULT_KEEP_FAILED, 0, 1_000_000) },
    };
    this.queue = new Queue(TRIAL_QUEUE, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      prefix: this.prefix,
    });
    // Without a listener an unreachable Redis would be an unhandled 'error' event; callers see
    // failures through the rejected promises of enqueue/depth/ping instead.
    this.queue.on("error", () => {});
  }

  async enqueue(jobs: readonly TrialJob[]): Promise<void> {
    if (this.closing) throw new Error("BullDispatcher is closed");
    const parsed = jobs.map((j) => TrialJob.parse(j));
    for (let i = 0; i < parsed.length; i += BULK_CHUNK) {
      await this.queue.addBulk(
        parsed.slice(i, i + BULK_CHUNK).map((data) => ({ name: "trial", data, opts: { ...this.jobOpts, jobId: data.trialId } })),
      );
    }
  }

  async depth(): Promise<number> {
    const c = await this.queue.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  /**
   * One round trip to Redis. Rejects after `timeoutMs` (default 2000): with
   * maxRetriesPerRequest null (BullMQ's requirement) commands would otherwise wait for Redis forever.
   */
  async ping(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.queue.getBackend().client.then((c) => c.get(`${this.prefix}:ping`)),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.queue.close().catch(() => {});
    return this.closing;
  }
}
