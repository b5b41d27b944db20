import type { Assignment, Distribution, Space } from "@hps/contracts";
import { sortedPaths } from "./sampler.ts";
import { checkSpace } from "./validate-space.ts";

/** A finished trial of the previous round, as the narrower sees it (immutable). */
export interface NarrowTrial {
  /** The trial's sampled values: dotted path → value. */
  readonly params: Assignment;
  /** Its finite objective value. */
  readonly objective: number;
}

export interface NarrowInput {
  /** The previous round's space. */
  readonly space: Space;
  /** The previous round's finished trials with a finite objective, ranked best first (see `rankTrials`). */
  readonly trials: readonly NarrowTrial[];
  /**
   * The previous round's trials that diverged (stopped with loss_exploded / non_finite): evidence
   * of where not to look. Default none; narrowers that do not use it ignore it.
   */
  readonly diverged?: readonly { readonly params: Assignment }[];
  /** Fraction of `trials` (rounded up, at least one) whose values define the new ranges. */
  readonly keepFraction: number;
  /**
   * May `value` be written at `path` in a trial config? Consulted only when a
   * range is widened beyond the previous one (an optimum at the edge); without
   * it every value is accepted. `configAcceptor(spec)` builds one from the spec.
   */
  readonly accepts?: (path: string, value: number) => boolean;
}

export interface NarrowResult {
  /** The next round's space: same paths and distribution types as the input. */
  readonly space: Space;
  /** Why each dimension changed (or did not), one sentence per dotted path. */
  readonly reasons: Readonly<Record<string, string>>;
  /** How many trials defined the new ranges, out of how many. */
  readonly kept: number;
  readonly of: number;
}

/**
 * Turns a round's space and its ranked results into the next round's space
 * (coarse-to-fine search, CS231n). Called by the scheduler once per finished
 * round, possibly again after a restart: a pure, deterministic function of its
 * input that never mutates it.
 */
export interface Narrower {
  narrow(input: NarrowInput): NarrowResult;
}

/** Trials kept for a fraction: ⌈fraction·n⌉, at least 1 (0 when there are none). */
export function keptCount(n: number, keepFraction: number): number {
  if (n <= 0) return 0;
  return Math.min(n, Math.max(1, Math.ceil(keepFraction * n - 1e-9)));
}

/**
 * The walk every narrower shares: each dimension of the space, in path order, gets its next
 * distribution and reason from `narrowOne`, except when no trial finished (k = 0), where every
 * range stays as it was. `kept` is the number of trials that define the new ranges.
 */
export function narrowEachPath(
  input: NarrowInput,
  kept: number,
  narrowOne: (path: string, dist: Distribution) => [Distribution, string],
): NarrowResult {
  checkSpace(input.space);
  const space: Space = {};
  const reasons: Record<string, string> = {};
  for (const path of sortedPaths(input.space)) {
    const dist = input.space[path]!;
    const [next, reason] = kept === 0 ? [structuredClone(dist), `${path} unchanged: no finished trials to narrow around`] : narrowOne(path, dist);
    space[path] = next;
    reasons[path] = reason;
  }
  return { space, reasons, kept, of: input.trials.length };
}

/** Numbers for reasons: 3 significant digits, exponent notation outside [0.01, 1e4). */
export function formatNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-2 && a < 1e4) return String(Number(x.toPrecision(3)));
  const [m, e] = x.toExponential(2).split("e");
  return `${String(Number(m))}e${e!.replace("+", "")}`;
}
