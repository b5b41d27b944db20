import type { Objective } from "@hps/contracts";

/** What a stop rule sees when a trial reports an epoch (immutable). */
export interface StopInput {
  /** This trial's objective value per epoch so far: curve[i] is epoch i + 1; null = missing or not finite. */
  readonly curve: readonly (number | null)[];
  /**
   * Other trials' curves, indexed the same way. Only their value at this trial's
   * current epoch (curve.length) is used; curves that have not reached it are ignored.
   * The caller chooses which trials count (Optuna: completed ones of the same study; hps: every
   * other trial of the same round, running or final, as stored in Postgres — like with like).
   */
  readonly others: readonly (readonly (number | null)[])[];
  readonly goal: Objective["goal"];
}

export interface StopDecision {
  readonly prune: boolean;
  /** One sentence for the trial's diagnostics / logs, whichever way it went. */
  readonly reason: string;
}

/**
 * Cross-trial early stopping (Optuna's BasePruner): one question, asked each
 * time a trial reports an epoch — should it stop now (`stopReason: "pruned"`)?
 * A pure function of the curves; everything that must survive a restart lives
 * in Postgres, not in the rule.
 */
export interface StopRule {
  shouldPrune(input: StopInput): StopDecision;
}
