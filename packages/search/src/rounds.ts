import type { Strategy } from "@hps/contracts";

/** One round of a search with every default filled in. */
export interface ResolvedRound {
  /** Trials of the round; null for a grid (its size is the narrowed grid's, see `roundSize`). */
  readonly trials: number | null;
  /** Epochs each trial of the round trains (the round's budget per trial). */
  readonly epochs: number;
  /** Fraction of the round's finished trials that define the next round's ranges. */
  readonly keepFraction: number;
}

/**
 * The rounds of a strategy: `rounds` as a number repeats the strategy's own
 * trials / `trainingEpochs` / keepFraction that many times; as an array each
 * entry overrides those per round (CS231n's coarse-to-fine: cheap wide rounds
 * first, longer narrow ones after).
 */
export function resolveRounds(strategy: Strategy, trainingEpochs: number): ResolvedRound[] {
  const trials = strategy.type === "grid" ? null : strategy.trials;
  const dflt: ResolvedRound = { trials, epochs: trainingEpochs, keepFraction: strategy.keepFraction };
  if (typeof strategy.rounds === "number") return Array.from({ length: strategy.rounds }, () => ({ ...dflt }));
  return strategy.rounds.map((r) => ({
    trials: strategy.type === "grid" ? null : ("trials" in r && r.trials !== undefined ? r.trials : trials),
    epochs: r.epochs ?? trainingEpochs,
    keepFraction: r.keepFraction ?? strategy.keepFraction,
  }));
}

/** Number of rounds a strategy plans. */
export function roundCount(strategy: Strategy): number {
  return typeof strategy.rounds === "number" ? strategy.rounds : strategy.rounds.length;
}
