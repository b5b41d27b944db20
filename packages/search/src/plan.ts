import { MAX_TRIALS, type Assignment, type SearchSpec, type Space, type Strategy } from "@hps/contracts";
import { resolveRounds, roundCount } from "./rounds.ts";
import { GridTooLarge, TooManyTrials } from "./errors.ts";
import { GridSampler, gridSize } from "./grid-sampler.ts";
import { RandomSampler } from "./random-sampler.ts";
import type { HistoryTrial, Sampler } from "./sampler.ts";
import { TpeSampler } from "./tpe-sampler.ts";
import { checkSpace } from "./validate-space.ts";

export interface SearchPlan {
  /**
   * Upper bound of the trials the whole search runs: the sum of its rounds' trials.
   * Later grid rounds can hold fewer (a narrowed choice keeps fewer values, int
   * points de-duplicate), never more.
   */
  plannedTrials: number;
  rounds: number;
  /** Trials of the first round: the grid size (grid) or the first round's trials (random, tpe). */
  trialsPerRound: number;
}

type PlanInput = Pick<SearchSpec, "space" | "strategy"> & { training?: { epochs: number } };

/**
 * Validates that the spec's search can be planned and sizes it. Throws
 * InvalidSpace (e.g. a numeric grid dimension without `points`), GridTooLarge
 * (grid size × rounds > MAX_TRIALS) or TooManyTrials (random trials × rounds >
 * MAX_TRIALS) — all SearchErrors, which the API answers with 422.
 */
export function planSearch(spec: PlanInput): SearchPlan {
  const { strategy, space } = spec;
  const rounds = roundCount(strategy);
  checkSpace(space);
  if (strategy.type === "grid") {
    const size = gridSize(space);
    if (size > MAX_TRIALS || size * rounds > MAX_TRIALS) throw new GridTooLarge(size, rounds, MAX_TRIALS);
    return { plannedTrials: size * rounds, rounds, trialsPerRound: size };
  }
  const perRound = resolveRounds(strategy, spec.training?.epochs ?? 1).map((r) => r.trials!);
  const total = perRound.reduce((a, b) => a + b, 0);
  if (total > MAX_TRIALS) throw new TooManyTrials(typeof strategy.rounds === "number" ? strategy.trials : total, typeof strategy.rounds === "number" ? rounds : 1, MAX_TRIALS);
  return { plannedTrials: total, rounds, trialsPerRound: perRound[0]! };
}

/** Number of trials of round `roundIndex` (default 0) over `space` (its own, possibly narrowed, space). */
export function roundSize(strategy: Strategy, space: Space, roundIndex = 0): number {
  if (strategy.type !== "grid") {
    const rounds = resolveRounds(strategy, 1);
    return rounds[Math.min(roundIndex, rounds.length - 1)]!.trials!;
  }
  const size = gridSize(space);
  if (size > MAX_TRIALS) throw new GridTooLarge(size, 1, MAX_TRIALS);
  return size;
}

/**
 * The assignments of round `roundIndex` (0-based) over that round's `space`;
 * the array index is the trial index within the round. Deterministic in
 * (strategy, roundIndex, space, seed, history): a restarted scheduler re-plans
 * identically. `seed` is normally `spec.seed`. `history` (the round's finished
 * trials, ranked best first) matters to TPE only, which plans trials as slots
 * free up — see `planTrials`.
 */
export function planRound(spec: Pick<SearchSpec, "strategy">, roundIndex: number, space: Space, seed: number, history: readonly HistoryTrial[] = []): Assignment[] {
  return samplerFor(spec.strategy).sample(space, { seed, round: roundIndex, count: roundSize(spec.strategy, space, roundIndex), history });
}

/**
 * Trials `firstIndex … firstIndex + count − 1` of a round, from the round's
 * finished trials so far (TPE) — what a scheduler inserts as slots free up.
 * Each trial's values are a function of (space, history, seed, round, its
 * index) only, never of `count`.
 */
export function planTrials(
  spec: Pick<SearchSpec, "strategy">,
  at: { round: number; firstIndex: number; count: number; history: readonly HistoryTrial[] },
  space: Space,
  seed: number,
): Assignment[] {
  return samplerFor(spec.strategy).sample(space, { seed, round: at.round, count: at.count, firstIndex: at.firstIndex, history: at.history });
}

/** The sampler a strategy uses. */
export function samplerFor(strategy: Strategy): Sampler {
  switch (strategy.type) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler();
    case "tpe":
      return new TpeSampler({ startupTrials: strategy.startupTrials });
  }
}
