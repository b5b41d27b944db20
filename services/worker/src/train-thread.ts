/**
 * Body of one training thread (long-lived: one per concurrency slot). Trains one trial at a
 * time with @hps/core's synchronous `train`; the core caches preprocessed datasets per thread,
 * so later trials on the same data skip loading. Protocol (see thread-pool-trainer.ts):
 *   in : { type: "run", config, initialParams?, source?, stop: SharedArrayBuffer }   (Int32Array[0] ≠ 0 → stop)
 *   out: { type: "ready", kernelPath } once at start (the kernel path it selected, from workerData);
 *        per run { type: "epoch", m } … then { type: "done", result } or { type: "error", message, stack }
 * The stop flag is read with Atomics, so the CPU-bound loop sees it without an event loop turn.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { TrialConfig } from "@hps/contracts";
import { selectKernelPath, setArenaLimit, train, type DataSource, type KernelPath } from "@hps/core";

export interface RunMessage {
  type: "run";
  config: TrialConfig;
  initialParams?: Uint8Array;
  /** An uploaded dataset's rows (views of SharedArrayBuffers: not copied; the core caches the split by source.key). */
  source?: DataSource;
  stop: SharedArrayBuffer;
  /** When present: after each epoch message, wait until gate[0] ≠ 0 (the pruner's answer is in `stop`), then reset it. */
  gate?: SharedArrayBuffer;
}

const port = parentPort;
if (!port) throw new Error("train-thread.ts must run in a worker thread");
// The per-trial memory budget: an allocation past it throws TrialMemoryError ("out_of_memory").
const { trialMemoryBytes, kernelPath } = (workerData ?? {}) as { trialMemoryBytes?: number | null; kernelPath?: KernelPath | "auto" };
setArenaLimit(trialMemoryBytes ?? null);
// The worker's HPS_KERNEL_PATH, selected before any trial runs (importing the core compiled the
// "auto" module; switching compiles the forced one). A path this runtime cannot run throws here and
// the thread dies, failing its run; the worker already refused to start in that case (env.ts).
port.postMessage({ type: "ready", kernelPath: selectKernelPath(kernelPath ?? "auto") });

port.on("message", (msg: RunMessage) => {
  if (msg.type !== "run") return;
  const stop = new Int32Array(msg.stop);
  const gate = msg.gate ? new Int32Array(msg.gate) : null;
  try {
    const result = train(msg.config, {
      onEpoch: (m) => {
        port.postMessage({ type: "epoch", m });
        if (gate) {
          // Blocks this training thread only; the main thread answers within a database round trip.
          Atomics.wait(gate, 0, 0);
          Atomics.store(gate, 0, 0);
        }
      },
      shouldStop: () => Atomics.load(stop, 0) !== 0,
      initialParams: msg.initialParams,
      ...(msg.source ? { source: msg.source } : {}),
    });
    const params = result.params;
    // Transfer the parameter bytes instead of copying them when they own their buffer.
    const transfer = params.byteOffset === 0 && params.byteLength === params.buffer.byteLength && params.buffer instanceof ArrayBuffer ? [params.buffer] : [];
    port.postMessage({ type: "done", result }, transfer);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    // The code (e.g. the core's InvalidTrialConfigError "invalid_trial_config") survives the thread boundary.
    const raw = (e as { code?: unknown }).code;
    const code = typeof raw === "string" ? raw : undefined;
    port.postMessage({ type: "error", message: e.message, stack: e.stack, code });
  }
});
