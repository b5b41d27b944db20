/**
 * Options of the BullMQ dispatcher and consumer, each with its default, and their
 * validation (constructors call these; a bad value throws a QueueOptionError naming it).
 * Explicit options only: the processes read the environment (their env schemas) and pass
 * what they read here.
 */
import { availableParallelism } from "node:os";
import { DEFAULT_QUEUE_PREFIX, QueuePrefix } from "@hps/contracts";
import { QueueOptionError } from "./errors.ts";

export interface BullConnectionOptions {
  /** redis:// URL (required). */
  redisUrl: string;
  /** Key prefix of every Redis key (default "hps"; "" is refused). Tests use a unique one each. */
  prefix?: string;
}

export interface BullDispatcherOptions extends BullConnectionOptions {
  /** Deliveries a job gets when its handler keeps failing (default 3). Stalls do not count. */
  attempts?: number;
  /** Base delay of the exponential retry backoff, ms (default 1000: 1 s, 2 s, 4 s …). */
  backoffMs?: number;
  /** Completed jobs kept in Redis for inspection (default 1000; older ones are removed). */
  keepCompleted?: number;
  /** Failed jobs kept in Redis (default 5000). */
  keepFailed?: number;
}

export interface BullConsumerOptions extends BullConnectionOptions {
  /** Jobs handled at once by this consumer (default: number of CPU cores). */
  concurrency?: number;
  /**
   * Job lock duration, ms (default 30000). The lock is renewed every
   * lockMs/2 while a handler runs; the stalled-job check runs every lockMs too, so a killed
   * worker's job is re-delivered after ~lockMs…2·lockMs.
   */
  lockMs?: number;
  /**
   * Times a job may stall (its worker died or its event loop blocked past the lock) before
   * BullMQ fails it (default 3; BullMQ's own default is 1, too few when workers get killed
   * repeatedly). Stalls do not use attempts.
   */
  maxStalledCount?: number;
}

export const DEFAULT_PREFIX = DEFAULT_QUEUE_PREFIX;
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 1000;
export const DEFAULT_KEEP_COMPLETED = 1000;
export const DEFAULT_KEEP_FAILED = 5000;
export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_MAX_STALLED = 3;

export function resolvePrefix(prefix: string | undefined): string {
  const p = prefix ?? DEFAULT_PREFIX;
  if (!QueuePrefix.safeParse(p).success) throw new QueueOptionError("prefix", p, "1–100 characters of [A-Za-z0-9_.:-]");
  return p;
}

export function resolveRedisUrl(url: string | undefined): string {
  if (typeof url !== "string" || !/^rediss?:\/\//.test(url)) throw new QueueOptionError("redisUrl", url, "a redis:// or rediss:// URL");
  return url;
}

export function resolveLockMs(lockMs: number | undefined): number {
  return int("lockMs", lockMs ?? DEFAULT_LOCK_MS, 1000, 3_600_000);
}

export const defaultConcurrency = (): number => availableParallelism();

/** An integer in [min, max], or a QueueOptionError naming the option. */
export function int(option: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new QueueOptionError(option, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}
