import type { Assignment, Space } from "@hps/contracts";

/** What a sampler is asked for: one round's assignments. */
export interface SampleRequest {
  /** The search's seed. */
  readonly seed: number;
  /** 0-based round index (coarse-to-fine rounds sample different points). */
  readonly round: number;
  /** Number of assignments wanted. A grid returns at most its size. */
  readonly count: number;
}

/**
 * Turns a space into the assignments of one round. Called by the scheduler when
 * it plans a round (`planRound`), possibly again after a restart, so it must be
 * a pure function of (space, request): same inputs, same assignments, in the
 * same order — the array index is the trial index. It must not mutate `space`
 * and must return values it does not share with `space` (choice values are
 * deep-copied).
 *
 * Prefix property: the first k assignments of a request for n ≥ k are the
 * assignments of a request for k, so raising `count` never changes planned trials.
 */
export interface Sampler {
  /** Stable name for logs and tests ("random", "grid"). */
  readonly name: string;
  sample(space: Space, request: SampleRequest): Assignment[];
}

/** Paths of a space in a canonical order. jsonb reorders object keys, so never rely on insertion order. */
export function sortedPaths(space: Space): string[] {
  return Object.keys(space).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
