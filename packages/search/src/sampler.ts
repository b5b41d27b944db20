import type { Assignment, Space } from "@hps/contracts";

/** A finished trial a model-based sampler learns from (immutable). */
export interface HistoryTrial {
  /** The trial's sampled values: dotted path → value. */
  readonly params: Assignment;
}

/** What a sampler is asked for: trials `firstIndex … firstIndex + count − 1` of one round. */
export interface SampleRequest {
  /** The search's seed. */
  readonly seed: number;
  /** 0-based round index (coarse-to-fine rounds sample different points). */
  readonly round: number;
  /** Number of assignments wanted. A grid returns at most what is left of its size. */
  readonly count: number;
  /** Index within the round of the first assignment wanted. Default 0. */
  readonly firstIndex?: number;
  /**
   * The round's finished trials so far, RANKED BEST FIRST (`rankTrials`: completed trials by
   * objective, then those without a value, stopped, failed — a diverged trial is evidence of a
   * bad region too). Default none. Random and grid sampling ignore it; TPE models it.
   */
  readonly history?: readonly HistoryTrial[];
}

/**
 * Turns a space into assignments of one round. Called by the scheduler when
 * it plans trials (`planRound`, `planTrials`), possibly again after a restart,
 * so it must be a pure function of (space, request): same inputs, same
 * assignments, in the same order. The value of trial i is a function of
 * (space, seed, round, history, i) only: it does not depend on `count` or
 * `firstIndex` (prefix property — raising `count` never changes planned
 * trials, and trials planned one at a time equal trials planned together
 * from the same history). It must not mutate `space` or `history` and must
 * return values it does not share with them (choice values are deep-copied).
 */
export interface Sampler {
  /** Stable name for logs and tests ("random", "grid", "tpe"). */
  readonly name: string;
  sample(space: Space, request: SampleRequest): Assignment[];
}

/** Paths of a space in a canonical order. jsonb reorders object keys, so never rely on insertion order. */
export function sortedPaths(space: Space): string[] {
  return Object.keys(space).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
