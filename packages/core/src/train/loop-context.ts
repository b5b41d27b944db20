import type { TrialConfig } from "@hps/contracts";
import type { PolyakAverage } from "./polyak.ts";
import type { TrialSetup } from "./setup.ts";
import type { StopReason, StopRules } from "./stop-rules.ts";

/**
 * The contract between `train` (train.ts) and its two loops (mini-batch-loop.ts, full-batch-loop.ts):
 * the loops import only this file, never train.ts.
 */

/** What a training loop reports back to `train`. */
export interface LoopOutcome {
  stopReason: StopReason | null;
  /** Data loss of the last evaluated mini-batch (or full batch), possibly non-finite. */
  lastLoss: number;
}

/** Per-epoch bookkeeping shared by the mini-batch and the full-batch loop. */
export interface EpochReporter {
  /** Evaluates val (Polyak-averaged params if enabled), records and reports the epoch. */
  endEpoch(epoch: number, trainLoss: number, trainAccuracy: number): void;
}

/** What both training loops receive from `train`. */
export interface LoopContext {
  config: TrialConfig;
  setup: TrialSetup;
  stops: StopRules;
  polyak: PolyakAverage | null;
  reporter: EpochReporter;
  shouldStop?: () => boolean;
}
