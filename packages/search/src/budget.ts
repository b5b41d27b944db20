import type { SearchBudget, StopReason, TrialStatus } from "@hps/contracts";
import { DIVERGED } from "./next-round.ts";

/** A trial as the budget sees it (immutable). */
export interface BudgetTrial {
  readonly status: TrialStatus;
  readonly stopReason: StopReason | null;
  /** Epochs it trained (its curve's length). */
  readonly epochsRun: number;
  /** Its round's epochs: what it trains when nothing stops it. */
  readonly epochsBudget: number;
}

/**
 * What a search spent and what early stopping saved, over the trials given
 * (the caller passes those that have started: running or final; a queued
 * trial has spent nothing). Saved epochs are budget − run of trials stopped for
 * that reason; what a failed, cancelled or still-running trial has not run yet
 * is in neither saving: epochsFullBudget − epochsRun − both savings.
 */
export function budgetSummary(trials: readonly BudgetTrial[]): SearchBudget {
  let epochsRun = 0;
  let epochsFullBudget = 0;
  let savedByDivergence = 0;
  let savedByPruning = 0;
  for (const t of trials) {
    if (t.status === "queued") continue;
    const run = Math.min(t.epochsRun, t.epochsBudget);
    epochsRun += t.epochsRun;
    epochsFullBudget += t.epochsBudget;
    if (t.status !== "stopped" || !t.stopReason) continue;
    if (DIVERGED.includes(t.stopReason)) savedByDivergence += t.epochsBudget - run;
    else if (t.stopReason === "pruned") savedByPruning += t.epochsBudget - run;
  }
  return { epochsRun, epochsFullBudget, savedByDivergence, savedByPruning };
}
