import type { Objective, StopReason, TrialStatus } from "@hps/contracts";
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
  /** Epochs it trained (a stopped trial's depth; see `rankTrials`). Omitted = all the same. */
  readonly epochs?: number;
  /** Why a stopped trial stopped: diverged ones (loss_exploded, non_finite) rank after the other stopped ones. */
  readonly stopReason?: StopReason | null;
  /**
   * The objective's metric at the last epoch it trained (`objectiveValue` of its stored metrics),
   * read for stopped trials without an objective: a pruned trial's value at the rung that
   * stopped it, which is what the pruner compared.
   */
  readonly lastValue?: number | null;
  /**
   * Its place in the plan (round, index within the round): the tie-break before id, because ids are
   * random (UUIDs) and the plan is the same in every run of a spec. Omitted = tie-break by id alone.
   */
  readonly round?: number;
  readonly index?: number;
}

export interface RankedTrial {
  readonly id: string;
  /** 1-based, unique. */
  readonly rank: number;
}

/**
 * Group order: completed trials with a finite objective first (the only ones
 * `isRankable` and compared by value), then completed trials without a finite
 * objective, then stopped trials (pruned, timed out), then diverged ones
 * (loss_exploded, non_finite), then failed and cancelled trials. Within a group,
 * like with like: trials of a larger epoch budget (a later, longer
 * coarse-to-fine round) before those of a smaller one — a 1-epoch trial is
 * never ranked above a 9-epoch one because 1-epoch numbers look better — and,
 * among stopped trials, those that trained more epochs before those that
 * trained fewer (a trial pruned at epoch 3 passed the epoch-1 rung); then by
 * value (the objective, or for a stopped trial without one its value at the
 * last epoch it trained; best first, missing/non-finite last), then by plan
 * order (round, index) when given — the same in every run of a spec, so equal
 * objectives rank alike across runs, where random ids would not — then by id, so
 * the ranking is deterministic. Rounds of equal budgets compete directly. This
 * is the final ranking the API documents under `strategy.rounds`, and the
 * order TPE splits its history by (as Optuna's TPE orders pruned trials by
 * their last step, then their value there).
 *
 * Trials still queued or running get no rank: they are left out.
 */
const GROUP: Partial<Record<TrialStatus, number>> = { completed: 0, stopped: 2, failed: 4, cancelled: 5 };
const DIVERGED = 3;

export function rankTrials(trials: readonly RankInput[], objective: Pick<Objective, "goal">): RankedTrial[] {
  const keyed = trials
    .filter((t) => GROUP[t.status] !== undefined)
    .map((t) => {
      const stopped = t.status === "stopped";
      const value = finite(t.objective) ?? (stopped ? finite(t.lastValue) : null);
      const diverged = stopped && (t.stopReason === "loss_exploded" || t.stopReason === "non_finite");
      const group = t.status === "completed" && value === null ? 1 : diverged ? DIVERGED : GROUP[t.status]!;
      return { id: t.id, group, value, budget: t.budget ?? 0, epochs: stopped ? (t.epochs ?? 0) : 0, round: t.round ?? 0, index: t.index ?? 0 };
    });
  keyed.sort((a, b) => {
    if (a.group !== b.group) return a.group - b.group;
    if (a.budget !== b.budget) return b.budget - a.budget;
    if (a.epochs !== b.epochs) return b.epochs - a.epochs;
    if (a.value !== null && b.value !== null) {
      const c = compareObjective(a.value, b.value, objective.goal);
      if (c !== 0) return c;
    } else if (a.value !== null) return -1;
    else if (b.value !== null) return 1;
    if (a.round !== b.round) return a.round - b.round;
    if (a.index !== b.index) return a.index - b.index;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  return keyed.map((k, i) => ({ id: k.id, rank: i + 1 }));
}

function finite(v: number | null | undefined): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
