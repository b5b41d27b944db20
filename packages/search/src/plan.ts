import { MAX_TRIALS, type Assignment, type SearchSpec, type Space, type Strategy } from "@hps/contracts";
import { GridTooLarge, TooManyTrials } from "./errors.ts";
import { GridSampler, gridSize } from "./grid-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { Sampler } from "./sampler.ts";
import { checkSpace } from "./validate-space.ts";

export interface SearchPlan {
  /**
   * Upper bound of the trials the whole search runs: trialsPerRound × rounds.
   * Later grid rounds can hold fewer (a narrowed choice keeps fewer values, int
   * points de-duplicate), never more.
   */
  plannedTrials: number;
  rounds: number;
  /** Trials of the first round: the grid size (grid) or `strategy.trials` (random). */
  trialsPerRound: number;
}

type PlanInput = Pick<SearchSpec, "space" | "strategy">;

/**
 * Validates that the spec's search can be planned and sizes it. Throws
 * InvalidSpace (e.g. a numeric grid dimension without `points`), GridTooLarge
 * (grid size × rounds > MAX_TRIALS) or TooManyTrials (random trials × rounds >
 * MAX_TRIALS) — all SearchErrors, which the API answers with 422.
 */
export function planSearch(spec: PlanInput): SearchPlan {
  const { strategy, space } = spec;
  const rounds = strategy.rounds;
  checkSpace(space);
  if (strategy.type === "grid") {
    const size = gridSize(space);
    if (size > MAX_TRIALS || size * rounds > MAX_TRIALS) throw new GridTooLarge(size, rounds, MAX_TRIALS);
    return { plannedTrials: size * rounds, rounds, trialsPerRound: size };
  }
  if (strategy.trials * rounds > MAX_TRIALS) throw new TooManyTrials(strategy.trials, rounds, MAX_TRIALS);
  return { plannedTrials: strategy.trials * rounds, rounds, trialsPerRound: strategy.trials };
}

/** Number of trials of one round over `space` (its own, possibly narrowed, space). */
export function roundSize(strategy: Strategy, space: Space): number {
  if (strategy.type === "random") return strategy.trials;
  const size = gridSize(space);
  if (size > MAX_TRIALS) throw new GridTooLarge(size, 1, MAX_TRIALS);
  return size;
}

/**
 * The assignments of round `roundIndex` (0-based) over that round's `space`;
 * the array index is the trial index within the round. Deterministic in
 * (strategy, roundIndex, space, seed): a restarted scheduler re-plans
 * identically. `seed` is normally `spec.seed`.
 */
export function planRound(spec: Pick<SearchSpec, "strategy">, roundIndex: number, space: Space, seed: number): Assignment[] {
  return samplerFor(spec.strategy).sample(space, { seed, round: roundIndex, count: roundSize(spec.strategy, space) });
}

/** The sampler a strategy uses. */
export function samplerFor(strategy: Strategy): Sampler {
  switch (strategy.type) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler();
  }
}
