/**
 * The seam between the trial handler and the training core. The default implementation
 * trains in a pool of worker threads (ThreadPoolTrainer); the dispatch benchmark passes a
 * no-op trainer that returns at once.
 */
import type { EpochMetrics, TrialConfig } from "@hps/contracts";
import type { DataSource, TrainResult } from "@hps/core";

export type { TrainResult };

export interface TrainerRunHooks {
  /** Every completed epoch's metrics, as they happen (on the calling thread). */
  onEpoch?(m: EpochMetrics): void;
  /**
   * Asked after every epoch (after onEpoch) whether to go on; training waits for the answer
   * (so a pruned trial's curve ends exactly at the epoch that was judged). false → training
   * stops as if aborted (status "stopped", stopReason "cancelled"; the caller knows why).
   * Rejections count as "go on".
   */
  afterEpoch?(m: EpochMetrics): Promise<boolean>;
  /** The rows of an uploaded dataset (config.dataset.name "uploaded"); SharedArrayBuffer-backed, so threads share them. */
  source?: DataSource;
  /** Fine-tune start: a stored trial's serialised parameters (config.model.initFrom). */
  initialParams?: Uint8Array;
  /**
   * Aborting asks the training to stop at the next mini-batch; it then resolves with
   * status "stopped", stopReason "cancelled" (the caller knows why it aborted).
   */
  signal?: AbortSignal;
}

export interface Trainer {
  /** Trains one trial. Rejects when training throws or its thread dies. */
  run(config: TrialConfig, hooks: TrainerRunHooks): Promise<TrainResult>;
  /** Releases threads, if any. Idempotent; runs still in flight reject. */
  close?(): Promise<void>;
}
