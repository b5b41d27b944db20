/**
 * The default Trainer: a pool of long-lived worker threads, one per concurrency slot, so the
 * CPU-bound training never blocks the event loop that renews BullMQ locks and writes progress.
 *
 * - Threads start lazily and are reused; each keeps its dataset cache across trials.
 * - Cancellation: a SharedArrayBuffer flag per run, set with Atomics when the run's signal
 *   aborts; the core polls it between mini-batches (`shouldStop`) without an event-loop turn.
 * - A thread that dies (uncaught error, OOM, exit) rejects its run and is replaced by a fresh
 *   one on the next run; an exception thrown by `train` rejects the run (with the error's
 *   message, stack and string `code`) and keeps the thread.
 * - Runs beyond `size` wait in FIFO order for a free thread.
 */
import { Worker, type ResourceLimits } from "node:worker_threads";
import type { EpochMetrics, TrialConfig } from "@hps/contracts";
import type { KernelPath } from "@hps/core";
import type { Trainer, TrainerRunHooks, TrainResult } from "./trainer.ts";

const THREAD_ENTRY = new URL("./train-thread-boot.mjs", import.meta.url);

export interface ThreadPoolTrainerOptions {
  /** Threads (= trials trained at once). Required; the worker passes its concurrency. */
  size: number;
  /** Extra resourceLimits per thread, e.g. { maxOldGenerationSizeMb } (default: Node's). */
  resourceLimits?: ResourceLimits;
  /** Each thread's arena limit, bytes (a trial past it fails with code "out_of_memory"); default none. */
  trialMemoryBytes?: number;
  /** The kernel path each thread selects before its first trial (default "auto": the core's choice). */
  kernelPath?: KernelPath;
}

type ThreadMessage =
  | { type: "epoch"; m: EpochMetrics }
  | { type: "done"; result: TrainResult }
  | { type: "error"; message: string; stack?: string; code?: string }
  | { type: "ready"; kernelPath: KernelPath };
/** What a run in progress is told of (a thread's "ready" is the slot's, not a run's). */
type RunMessage = Exclude<ThreadMessage, { type: "ready" }>;

interface Slot {
  worker: Worker;
  /** The run in progress, if any: how to settle it. */
  current: { onMessage(msg: RunMessage): void; onDeath(err: Error): void } | null;
  /** The kernel path the thread reported running (its "ready" message), once it has. */
  kernelPath: KernelPath | null;
}

/** Raised when a training thread dies while running a trial. */
export class TrainingThreadError extends Error {
  constructor(message: string, readonly code: "training_thread_died" | "out_of_memory" = "training_thread_died") {
    super(message);
    this.name = "TrainingThreadError";
  }
}

export class ThreadPoolTrainer implements Trainer {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly idle: Slot[] = [];
  private readonly waiting: Array<(slot: Slot) => void> = [];
  private closed = false;
  private readonly resourceLimits: ResourceLimits | undefined;
  private readonly trialMemoryBytes: number | undefined;
  private readonly kernelPath: KernelPath | "auto";

  constructor(opts: ThreadPoolTrainerOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1 || opts.size > 256) {
      throw new Error(`invalid ThreadPoolTrainer option size=${JSON.stringify(opts.size)}: expected an integer in [1, 256]`);
    }
    this.size = opts.size;
    this.resourceLimits = opts.resourceLimits;
    this.trialMemoryBytes = opts.trialMemoryBytes;
    this.kernelPath = opts.kernelPath ?? "auto";
  }

  /** The kernel path each live thread reported running, in start order (threads not yet ready are left out). */
  threadKernelPaths(): KernelPath[] {
    return this.slots.flatMap((s) => (s.kernelPath ? [s.kernelPath] : []));
  }

  async run(config: TrialConfig, hooks: TrainerRunHooks = {}): Promise<TrainResult> {
    if (this.closed) throw new Error("ThreadPoolTrainer is closed");
    const slot = await this.acquire();
    const stop = new SharedArrayBuffer(4);
    const flag = new Int32Array(stop);
    const onAbort = () => Atomics.store(flag, 0, 1);
    if (hooks.signal?.aborted) onAbort();
    hooks.signal?.addEventListener("abort", onAbort, { once: true });
    // With afterEpoch, the thread waits at each epoch's end until gate[0] is set (see train-thread.ts).
    const gateBuffer = hooks.afterEpoch ? new SharedArrayBuffer(4) : undefined;
    const gate = gateBuffer ? new Int32Array(gateBuffer) : null;
    try {
      return await new Promise<TrainResult>((resolve, reject) => {
        slot.current = {
          onMessage: (msg) => {
            if (msg.type === "epoch") {
              try {
                hooks.onEpoch?.(msg.m);
              } catch {
                // a failing progress callback must not break training
              }
              if (gate && hooks.afterEpoch) {
                const open = () => {
                  Atomics.store(gate, 0, 1);
                  Atomics.notify(gate, 0);
                };
                hooks.afterEpoch(msg.m).then(
                  (goOn) => {
                    if (!goOn) Atomics.store(flag, 0, 1);
                    open();
                  },
                  open,
                );
              }
            } else if (msg.type === "done") resolve(msg.result);
            else {
              const err: Error & { code?: string } = new Error(msg.message);
              if (msg.stack) err.stack = msg.stack;
              if (msg.code) err.code = msg.code; // e.g. "invalid_trial_config": retrying cannot help
              reject(err);
            }
          },
          onDeath: reject,
        };
        slot.worker.postMessage({ type: "run", config, initialParams: hooks.initialParams, source: hooks.source, stop, gate: gateBuffer });
      });
    } finally {
      hooks.signal?.removeEventListener("abort", onAbort);
      slot.current = null;
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = this.slots.splice(0);
    this.idle.length = 0;
    await Promise.all(all.map((s) => s.worker.terminate().catch(() => 0)));
  }

  private acquire(): Promise<Slot> {
    const free = this.idle.pop();
    if (free) return Promise.resolve(free);
    if (this.slots.length < this.size) return Promise.resolve(this.spawn());
    return new Promise((res) => this.waiting.push(res));
  }

  private release(slot: Slot): void {
    if (this.closed || !this.slots.includes(slot)) {
      // the slot died: let a waiter start a fresh thread
      const next = this.waiting.shift();
      if (next && !this.closed) next(this.spawn());
      return;
    }
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  private spawn(): Slot {
    const worker = new Worker(THREAD_ENTRY, {
      resourceLimits: this.resourceLimits,
      workerData: { trialMemoryBytes: this.trialMemoryBytes ?? null, kernelPath: this.kernelPath },
    });
    const slot: Slot = { worker, current: null, kernelPath: null };
    const die = (err: Error) => {
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      const j = this.idle.indexOf(slot);
      if (j >= 0) this.idle.splice(j, 1);
      // A thread past its heap limit (resourceLimits) dies alone; the trial fails as out of memory.
      const oom = (err as { code?: unknown }).code === "ERR_WORKER_OUT_OF_MEMORY";
      slot.current?.onDeath(new TrainingThreadError(`training thread died: ${err.message}`, oom ? "out_of_memory" : undefined));
      slot.current = null;
    };
    worker.on("message", (msg: ThreadMessage) => {
      if (msg.type === "ready") slot.kernelPath = msg.kernelPath;
      else slot.current?.onMessage(msg);
    });
    worker.on("error", (err) => die(err));
    worker.on("exit", (code) => die(new Error(`exit code ${code}`)));
    this.slots.push(slot);
    return slot;
  }
}
