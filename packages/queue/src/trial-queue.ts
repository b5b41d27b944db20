/**
 * The two roles trials travel through, whatever carries them (BullMQ on Redis in the
 * distributed mode, an in-memory FIFO in the embedded mode).
 *
 * Delivery is at-least-once: a job may be delivered again after its handler failed
 * (retry), after its worker died (BullMQ stall recovery) or after a graceful shutdown
 * handed it back. Handlers must therefore be idempotent; the worker makes them so with
 * Postgres (claim → guarded final write), which stays the truth.
 *
 * Waking the scheduler: there is deliberately no queue event source here. The worker
 * calls `notifyScheduler` (Postgres NOTIFY, @hps/db) after every final write, and the
 * scheduler polls as a fallback; queue events would only duplicate that signal.
 */
import type { TrialJob } from "@hps/contracts";

export interface TrialDispatcher {
  /**
   * Enqueues trials. Idempotent: the job id is the trial id, so a trial already waiting,
   * active, delayed (or still retained as completed/failed) is not added again.
   * Payloads are parsed with the `TrialJob` schema first; an invalid one rejects the
   * whole call before anything is enqueued.
   */
  enqueue(jobs: readonly TrialJob[]): Promise<void>;
  /** Jobs not yet finished: waiting + active + delayed (retry backoff). */
  depth(): Promise<number>;
  /** Resolves when the transport is reachable (readiness probes). */
  ping(): Promise<void>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
}

export interface TrialJobContext {
  /** 1-based delivery count of this job (retries, stall recoveries and hand-backs all count). */
  attempt: number;
  /** True when a rejection of this delivery will not be retried (the attempts policy is spent). */
  lastAttempt: boolean;
  /**
   * Aborted when the consumer shuts down and the grace period ran out; `signal.reason`
   * is then a `ConsumerShutdownError`. The handler should stop promptly and reject
   * (or resolve); the consumer hands the job back to the queue without using an attempt.
   */
  signal: AbortSignal;
  /** Best-effort progress report (BullMQ job progress); never throws. */
  progress(p: object): void;
}

/** Resolve = done. Reject = a failure: retried per the attempts policy, then given up. */
export type TrialHandler = (job: TrialJob, ctx: TrialJobContext) => Promise<void>;

export interface TrialConsumerHooks {
  /**
   * Called once when a job is given up: its last attempt rejected, or (BullMQ) it stalled
   * more often than allowed, in which case no handler saw the final failure. Errors thrown
   * here are swallowed (logged by the caller's own code).
   */
  onGiveUp?(job: TrialJob, error: Error): void | Promise<void>;
}

export interface ConsumerCloseOptions {
  /**
   * How long to let active handlers finish before aborting their signals
   * (default: wait indefinitely, like BullMQ's `close()`).
   */
  timeoutMs?: number;
}

export interface TrialConsumer {
  /** Starts taking jobs. Throws when called twice or after close(). */
  start(handler: TrialHandler, hooks?: TrialConsumerHooks): void;
  /**
   * Stops taking jobs and waits for active handlers (up to `timeoutMs`, then aborts them and
   * hands their jobs back). Idempotent: later calls return the same promise.
   */
  close(opts?: ConsumerCloseOptions): Promise<void>;
}

/** The abort reason of a handler's signal on shutdown. */
export class ConsumerShutdownError extends Error {
  readonly code = "consumer_shutdown";
  constructor() {
    super("consumer is shutting down: job handed back to the queue");
    this.name = "ConsumerShutdownError";
  }
}

export const isShutdownAbort = (signal: AbortSignal): boolean =>
  signal.aborted && signal.reason instanceof ConsumerShutdownError;
