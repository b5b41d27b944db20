import type { Objective, TrialStatus } from "@hps/contracts";
import { compareObjective } from "./objective.ts";

/** What ranking needs of a trial (immutable). */
export interface RankInput {
  readonly id: string;
  readonly status: TrialStatus;
  /** The trial's objective value (see `objectiveValue`); null when missing. */
  readonly objective: number | null;
  /**
   * Epochs its round trains each trial (the round's budget, not the epochs it ran). Trials of
   * different budgets are not compared as equals: see `rankTrials`. Omitted = all the same.
   */
  readonly budget?: number;
}

export interface RankedTrial {
  readonly id: string;
  /** 1-based, unique. */
  readonly rank: number;
}

/**
 * Group order: completed trials with a finite objective first (the only ones
 * `isRankable` and compared by value), then completed trials without a finite
 * objective, then stopped (pruned, diverged, timed out), failed and cancelled
 * trials. Within a group, like with like: trials of a larger epoch budget (a
 * later, longer coarse-to-fine round) before those of a smaller one — a
 * 1-epoch trial is never ranked above a 9-epoch one because 1-epoch numbers
 * look better — then by objective (best first, missing/non-finite last), then
 * by id, so the ranking is deterministic. Rounds of equal budgets compete
 * directly. This is the final ranking the API documents under `strategy.rounds`.
 *
 * Trials still queued or running get no rank: they are left out.
 */
const GROUP: Partial<Record<TrialStatus, number>> = { completed: 0, stopped: 2, failed: 3, cancelled: 4 };

export function rankTrials(trials: readonly RankInput[], objective: Pick<Objective, "goal">): RankedTrial[] {
  const keyed = trials
    .filter((t) => GROUP[t.status] !== undefined)
    .map((t) => {
      const value = typeof t.objective === "number" && Number.isFinite(t.objective) ? t.objective : null;
      const group = t.status === "completed" && value === null ? 1 : GROUP[t.status]!;
      return { id: t.id, group, value, budget: t.budget ?? 0 };
    });
  keyed.sort((a, b) => {
    if (a.group !== b.group) return a.group - b.group;
    if (a.budget !== b.budget) return b.budget - a.budget;
    if (a.value !== null && b.value !== null) {
      const c = compareObjective(a.value, b.value, objective.goal);
      if (c !== 0) return c;
    } else if (a.value !== null) return -1;
    else if (b.value !== null) return 1;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k, i) => ({ id: k.id, rank: i + 1 }));
}
